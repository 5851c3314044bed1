"""HTTP for accounts: signing in and out, one's own account, and the language switch."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal import ratelimit
from portal.accounts import services
from portal.accounts.forms import (
    ChangePasswordForm,
    CodeForm,
    PasswordSignInForm,
    PhoneForm,
    PreferencesForm,
)
from portal.accounts.language import switch_language as switch_language_to
from portal.accounts.sending import refused_sending
from portal.accounts.sessions import end_session, start_session
from portal.db import db, utcnow
from portal.errors import DomainError
from portal.extensions import csrf
from portal.web.carried import carry_errors, show_carried_errors
from portal.web.forms import EmptyForm, LanguageForm, saving, show_error
from portal.web.templating import current_locale
from portal.web.urls import safe_next

bp = Blueprint("accounts", __name__)

# The code sent to the number a resident is signing in with, between asking for it and
# typing it: its id, not the number, which the cookie must not carry (anyone who sees the
# cookie can read it: it is signed, not encrypted).
PENDING_CODE = "sign_in_code"
PENDING_NEXT = "sign_in_next"


def code_secret() -> bytes:
    """What sign-in codes are kept under (their HMAC's key): the app's secret key."""
    return current_app.config["SECRET_KEY"].encode()


def _too_many_attempts(form) -> bool:
    """Count a sign-in attempt from this address; on too many, say so on the form."""
    if ratelimit.allow("sign-in", current_app.config["SIGN_IN_LIMIT_PER_ADDRESS"]):
        return False
    form.form_errors.append(
        _("Too many attempts from this network. Please wait a few minutes, then try again.")
    )
    return True


def _too_many_codes(form) -> bool:
    """Count a sign-in code asked for from this address; on too many, say so on the form."""
    refused = refused_sending(services.SIGN_IN)
    if refused is not None:
        form.form_errors.append(refused)
    return refused is not None


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    """Residents: step 1 of 2, the mobile number."""
    form = PhoneForm(next=request.args.get("next", ""))
    if form.validate_on_submit() and not _too_many_attempts(form) and not _too_many_codes(form):
        with saving(form) as saved:
            pending = services.request_sign_in_code(
                db.session,
                form.phone.data,
                secret=code_secret(),
                locale=current_locale(),
                now=utcnow(),
            ).id
        if saved:
            session[PENDING_CODE] = pending
            session[PENDING_NEXT] = safe_next(form.next.data)
            return redirect(url_for("accounts.enter_code"))
    return render_template("accounts/sign_in.html", form=form)


@bp.route("/sign-in/code", methods=["GET", "POST"])
def enter_code():
    """Residents: step 2 of 2, the code from the SMS."""
    phone = services.pending_sign_in_phone(db.session, session.get(PENDING_CODE))
    if not phone:
        return redirect(url_for("accounts.sign_in"))
    form = CodeForm()
    if request.method == "GET":
        show_carried_errors(form)
    if form.validate_on_submit() and not _too_many_attempts(form):
        try:
            user = services.verify_sign_in_code(
                db.session,
                phone,
                form.code.data,
                secret=code_secret(),
                locale=current_locale(),
                now=utcnow(),
            )
        except DomainError as error:
            db.session.commit()  # The spent try must count.
            show_error(form, error)
            # Said on the page a GET opens: a reload spends no try.
            carry_errors(form)
            return redirect(url_for("accounts.enter_code"))
        else:
            db.session.commit()
            target = session.get(PENDING_NEXT)
            start_session(user)
            flash(_("You are signed in."), "success")
            return redirect(target or url_for("desk.home"))
    return render_template(
        "accounts/enter_code.html",
        form=form,
        phone=phone,
        resend_form=EmptyForm(),
        minutes=services.SIGN_IN.minutes,
        seconds=int(services.SIGN_IN.resend_after.total_seconds()),
    )


@bp.post("/sign-in/resend")
def resend_code():
    phone = services.pending_sign_in_phone(db.session, session.get(PENDING_CODE))
    form = EmptyForm()
    if not phone or not form.validate_on_submit():
        return redirect(url_for("accounts.sign_in"))
    if not _too_many_attempts(form) and not _too_many_codes(form):
        with saving(form) as saved:
            pending = services.request_sign_in_code(
                db.session, phone, secret=code_secret(), locale=current_locale(), now=utcnow()
            ).id
        if saved:
            session[PENDING_CODE] = pending
            flash(_("A new code has been sent."), "success")
    for message in form.form_errors:
        flash(message, "error")
    return redirect(url_for("accounts.enter_code"))


@bp.route("/staff/sign-in", methods=["GET", "POST"])
def staff_sign_in():
    form = PasswordSignInForm(next=request.args.get("next", ""))
    if form.validate_on_submit() and not _too_many_attempts(form):
        try:
            user = services.sign_in_with_password(
                db.session, form.phone.data, form.password.data, now=utcnow()
            )
        except DomainError as error:
            db.session.commit()  # Failed sign-ins count towards the lock and go in the audit log.
            show_error(form, error)
        else:
            db.session.commit()
            start_session(user)
            if user.must_change_password:
                flash(_("Please replace the temporary password before you go on."), "info")
                return redirect(url_for("accounts.change_password"))
            return redirect(safe_next(form.next.data) or url_for("desk.staff_desk"))
    return render_template("accounts/staff_sign_in.html", form=form)


@bp.post("/sign-out")
def sign_out():
    if current_user.is_authenticated and EmptyForm().validate_on_submit():
        services.sign_out(db.session, current_user, now=utcnow())
        db.session.commit()
    end_session()
    flash(_("You are signed out."), "success")
    return redirect(url_for("desk.home"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    form = PreferencesForm(obj=current_user if request.method == "GET" else None)
    if request.method == "GET":
        form.locale.data = current_user.locale or ""
    if form.validate_on_submit():
        with saving(form) as saved:
            services.update_preferences(
                db.session,
                current_user,
                display_name=form.display_name.data or "",
                locale=form.locale.data or None,
            )
        if saved:
            flash(_("Your settings are saved."), "success")
            return redirect(url_for("accounts.account"))
    return render_template("accounts/account.html", form=form)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        with saving(form) as saved:
            services.change_password(
                db.session, user, form.current_password.data, form.new_password.data, now=utcnow()
            )
        if saved:
            # The old token is gone; this browser gets the new one. (The real user, not the
            # current_user proxy, must be stored: the proxy would resolve to itself.)
            start_session(user)
            flash(_("Your password is changed. You are signed out everywhere else."), "success")
            return redirect(
                url_for("desk.staff_desk") if user.is_staff else url_for("accounts.account")
            )
    return render_template("accounts/change_password.html", form=form)


@bp.post("/language")
@csrf.exempt
def switch_language():
    """Switch language: a cookie, and for a signed-in person their stored preference.

    Only a signed-in switch changes anything on the server, so only it needs the CSRF token.
    Leaving the token out of anonymous pages keeps them free of a session cookie, so that the
    public pages can be cached.
    """
    if current_user.is_authenticated and current_app.config["WTF_CSRF_ENABLED"]:
        csrf.protect()
    form = LanguageForm(meta={"csrf": False})
    return switch_language_to(form.locale.data, safe_next(form.next.data) or url_for("desk.home"))
