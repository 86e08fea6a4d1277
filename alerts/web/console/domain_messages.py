"""The domain's messages whose text is built at run time, listed for `pybabel extract`.

Nothing imports this list: the messages are translated where they are shown (the console's and
the API's error answers); it exists so that the extraction finds every form they can take.
"""

from __future__ import annotations

from alerts.i18n import N_

# The domain's messages whose text is built at run time, in each form they can take, and the
# default messages of the exception classes (their docstrings): listed so that `pybabel
# extract` finds them. The literal messages are found by the keywords in babel.cfg.
DOMAIN_MESSAGES = (
    N_("Something went wrong."),
    N_("E-mail cannot be sent right now; please try again later."),
    N_("Something went wrong on our side. Please retry."),
    N_("The request is not valid."),
    N_("Not found."),
    N_("This alert has been withdrawn."),
    N_("You are not allowed to do this."),
    N_("Please log in."),
    N_("Please confirm your password (or TOTP code) to do this."),
    N_("The case is not in a state that allows this."),
    N_("This change of state is not allowed."),
    N_("The consent does not allow publication on this channel."),
    N_("Too many attempts; please wait and try again."),
    N_("At most 100 characters."),
    N_("At most 200 characters."),
    N_("At most 300 characters."),
    N_("At most 1000 characters."),
    N_("At most 2000 characters."),
    N_("Must be between 0 and 25."),
    N_("Must be between 30 and 230."),
    N_("Must be between -90 and 90."),
    N_("Must be between -180 and 180."),
    N_("Must be between 0.1 and 500."),
    N_("Must be between 0 and 3."),
    N_(
        "Must be one of: runaway, parental_abduction, third_party_abduction, lost_injured, "
        "unaccompanied_minor."
    ),
    N_("Must be one of: full, first, none."),
    N_("Must be one of: exact, municipality, province."),
    N_("Must be one of: found_safe, found_other, consent_withdrawn, authority_ended, unfounded."),
    N_("The photo is too large (at most 10 MB)."),
    N_("Cannot submit: missing where the child was last seen."),
    N_("Cannot submit: missing when the child was last seen."),
    N_("Cannot submit: missing the child's name or a description."),
    N_("Cannot submit: missing where the child was last seen, when the child was last seen."),
    N_("Cannot submit: missing where the child was last seen, the child's name or a description."),
    N_("Cannot submit: missing when the child was last seen, the child's name or a description."),
    N_(
        "Cannot submit: missing where the child was last seen, when the child was last seen, "
        "the child's name or a description."
    ),
    N_("Cannot submit: the case is waiting for approval."),
    N_("Cannot submit: the case is already active."),
    N_("Cannot submit: the case is closed; a new disappearance is a new case."),
    N_("Cannot return: the case is still a draft."),
    N_("Cannot return: the case is already active."),
    N_("Cannot return: the case is closed; a new disappearance is a new case."),
    N_("Cannot approve: the case is still a draft."),
    N_("Cannot approve: the case is already active."),
    N_("Cannot approve: the case is closed; a new disappearance is a new case."),
    N_("Cannot close: the case is closed; a new disappearance is a new case."),
    N_("Cannot edit: the case is closed; a new disappearance is a new case."),
    N_("Cannot add a photo: the case is closed; a new disappearance is a new case."),
    N_("Cannot record consent: the case is closed; a new disappearance is a new case."),
)
