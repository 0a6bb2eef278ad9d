from sample_plugin import api


def load(context):
    api.add_thing(f"demo thing of department {sorted(context.departments)[0]}")
