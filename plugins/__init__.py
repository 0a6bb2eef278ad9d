"""Business plugins of Waterworks ERP. Each is registered under the ``erp.plugins`` entry-point
group in setup.cfg and reaches the others only through ``erp.ports``."""
