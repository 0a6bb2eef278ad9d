"""Login, logout, own password, and the administration of users, roles and departments."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from erp.ops.metrics import login_failed
from erp.auth import services, session_timeout, sessions
from erp.auth.access import login_only, permission_required, public
from erp.web.limits import limit
from erp.auth.forms import (ChangePasswordForm, DepartmentForm, LoginForm, RoleForm, SetPasswordForm,
                            UserCreateForm, UserEditForm)
from erp.auth.roles import role_label
from erp.common.errors import ServiceError
from erp.extensions import login_manager
from erp.web.forms import flash_refusal
from erp.web.paging import page_arg, same_site_path

bp = Blueprint("auth", __name__)


@bp.app_template_filter("department")
def department_filter(code: str | None) -> str:
    """A department code as its name on any page (the code itself when unknown); one query a request."""
    if not code:
        return ""
    from flask import g

    if "department_names" not in g:
        g.department_names = services.department_names()
    return g.department_names.get(code, code)


@bp.app_template_filter("person")
def person_filter(username: str | None) -> str:
    """A user name as the person's name ("정출납 (chiefacct)"); system actors as recorded."""
    if not username:
        return ""
    from flask import g

    names = g.setdefault("person_names", {})
    if username not in names:
        names[username] = services.user_names([username]).get(username, "")
    return f"{names[username]} ({username})" if names[username] else username


login_manager.user_loader(services.session_user)


# --- login ----------------------------------------------------------------------------------

@bp.route("/login", methods=["GET", "POST"])
@public
@limit("ERP_RATELIMIT_LOGIN", by="username", methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("web.home"))
    form = LoginForm()
    if form.validate_on_submit():
        result = services.authenticate(form.username.data, form.password.data)
        if result.user is None:
            login_failed()
            flash(result.error, "danger")
        else:
            lang = session.get("lang")
            sessions.end_session(session)  # a fresh session id on login: no fixation
            session.clear()
            if lang:
                session["lang"] = lang
            login_user(result.user)
            session[session_timeout.LOGIN_AT] = session_timeout.clock()
            session.permanent = True
            return redirect(same_site_path(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_only
def logout():
    services.record_logout(current_user._get_current_object())
    lang = session.get("lang")
    sessions.end_session(session)  # deleted from the store: a copy of the cookie opens nothing
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_only
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_own_password(current_user.id, form.current.data, form.password.data)
        except ServiceError as error:
            flash_refusal(form, error)
        else:
            # The new password ends every session, this one included: start a fresh one.
            login_user(services.get_user(current_user.id))
            session.permanent = True
            flash(_("Your password was changed."), "success")
            return redirect(url_for("web.home"))
    return render_template("auth/change_password.html", form=form)


# --- users ----------------------------------------------------------------------------------

def _fill_choices(form) -> None:
    form.department_id.choices = [(None, _("(none)"))] + [
        (d.id, f"{d.name} ({d.code})") for d in services.list_departments(include_inactive=False)
    ]
    form.roles.choices = [(r.id, role_label(r)) for r in services.list_roles()]


def _user_or_404(user_id: int):
    try:
        return services.get_user(user_id)
    except LookupError:
        abort(404)


@bp.route("/admin/users")
@permission_required("core.users")
def users():
    text = request.args.get("q", "").strip()
    return render_template("auth/users.html", pagination=services.search_users(text, page_arg()), q=text)


@bp.route("/admin/users/new", methods=["GET", "POST"])
@permission_required("core.users")
def user_new():
    form = UserCreateForm()
    _fill_choices(form)
    if form.validate_on_submit():
        try:
            user = services.create_user(
                form.username.data, form.name.data, form.password.data, email=form.email.data,
                department_id=form.department_id.data, role_ids=form.roles.data,
            )
        except ServiceError as error:
            flash_refusal(form, error)
        else:
            flash(_("User %(name)s was created.", name=user.username), "success")
            return redirect(url_for("auth.user_edit", user_id=user.id))
    return render_template("auth/user_new.html", form=form)


@bp.route("/admin/users/<id:user_id>", methods=["GET", "POST"])
@permission_required("core.users")
def user_edit(user_id: int):
    user = _user_or_404(user_id)
    form = UserEditForm(obj=user)
    _fill_choices(form)
    if request.method == "GET":
        form.roles.data = [r.id for r in user.roles]
    if form.validate_on_submit():
        try:
            services.update_user(user.id, name=form.name.data, email=form.email.data,
                                 department_id=form.department_id.data, role_ids=form.roles.data,
                                 active=form.active.data, acting_user_id=current_user.id)
        except ServiceError as error:
            flash_refusal(form, error)
        else:
            flash(_("Changes saved."), "success")
            return redirect(url_for("auth.user_edit", user_id=user.id))
    return render_template("auth/user_edit.html", form=form, user=user, password_form=SetPasswordForm(prefix="pw"))


@bp.route("/admin/users/<id:user_id>/password", methods=["POST"])
@permission_required("core.users")
def user_password(user_id: int):
    user = _user_or_404(user_id)
    form = SetPasswordForm(prefix="pw")
    if form.validate_on_submit():
        try:
            services.set_password(user.id, form.password.data)
        except ServiceError as error:
            flash_refusal(form, error)
        else:
            flash(_("The password of %(name)s was set.", name=user.username), "success")
            return redirect(url_for("auth.user_edit", user_id=user.id))
    edit_form = UserEditForm(obj=user)
    _fill_choices(edit_form)
    edit_form.roles.data = [r.id for r in user.roles]
    return render_template("auth/user_edit.html", form=edit_form, user=user, password_form=form)


@bp.route("/admin/users/<id:user_id>/unlock", methods=["POST"])
@permission_required("core.users")
def user_unlock(user_id: int):
    user = _user_or_404(user_id)
    services.unlock_user(user.id)
    flash(_("%(name)s may log in again.", name=user.username), "success")
    return redirect(url_for("auth.user_edit", user_id=user.id))


# --- roles ----------------------------------------------------------------------------------

def _permission_groups():
    """Declared permissions grouped by the plugin (or core) that declares them."""
    ext = current_app.extensions["erp"]
    groups: dict[str, list] = {}
    for code, (owner, permission) in ext["permissions"].items():
        groups.setdefault(owner, []).append(permission)
    labels = {"core": _("Core")}
    for name, manifest in ext["manifests"].items():
        labels[name] = str(manifest.label or manifest.summary)
    return [(labels.get(owner, owner), perms) for owner, perms in groups.items()]


@bp.route("/admin/roles")
@permission_required("core.roles")
def roles():
    return render_template("auth/roles.html", roles=services.list_roles())


@bp.route("/admin/roles/new", methods=["GET", "POST"])
@bp.route("/admin/roles/<id:role_id>", methods=["GET", "POST"])
@permission_required("core.roles")
def role_edit(role_id: int | None = None):
    role = None
    if role_id is not None:
        try:
            role = services.get_role(role_id)
        except LookupError:
            abort(404)
    form = RoleForm(obj=role)
    known = set(current_app.extensions["erp"]["permissions"])
    form.permissions.choices = sorted(known)
    if role is not None:
        form.code.data = role.code  # the code identifies the role; it is not edited
        if request.method == "GET":
            form.permissions.data = sorted(role.permission_codes)
            form.name.data = role_label(role)
    if form.validate_on_submit():
        try:
            saved = services.save_role(role_id, code=form.code.data, name=form.name.data,
                                       description=form.description.data or "",
                                       permissions=form.permissions.data, known=known,
                                       acting_user_id=current_user.id)
        except ServiceError as error:
            flash_refusal(form, error)
        else:
            flash(_("Role %(name)s saved.", name=role_label(saved)), "success")
            return redirect(url_for("auth.roles"))
    return render_template("auth/role_edit.html", form=form, role=role, groups=_permission_groups(),
                           selected=set(form.permissions.data or []))


# --- departments ----------------------------------------------------------------------------

@bp.route("/admin/departments")
@permission_required("core.departments")
def departments():
    return render_template("auth/departments.html", departments=services.list_departments())


@bp.route("/admin/departments/new", methods=["GET", "POST"])
@bp.route("/admin/departments/<id:dept_id>", methods=["GET", "POST"])
@permission_required("core.departments")
def department_edit(dept_id: int | None = None):
    dept = None
    if dept_id is not None:
        try:
            dept = services.get_department(dept_id)
        except LookupError:
            abort(404)
    form = DepartmentForm(obj=dept)
    form.parent_id.choices = [(None, _("(none)"))] + [
        (d.id, f"{d.name} ({d.code})") for d in services.list_departments() if d.id != dept_id
    ]
    if form.validate_on_submit():
        try:
            services.save_department(dept_id, code=form.code.data, name=form.name.data,
                                     parent_id=form.parent_id.data, active=form.active.data)
        except ServiceError as error:
            flash_refusal(form, error)
        else:
            flash(_("Department saved."), "success")
            return redirect(url_for("auth.departments"))
    return render_template("auth/department_edit.html", form=form, dept=dept)
