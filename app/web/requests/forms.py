"""Forms of the request pages; the rules live in app.services.requests.workflow."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.limits import REQUEST_NOTE_LENGTH


class DecideForm(FlaskForm):
    """Approve, cancel and fulfil carry only the CSRF token (and an optional note)."""

    note = TextAreaField("Note", validators=[Optional(), Length(max=REQUEST_NOTE_LENGTH)])
    origin = HiddenField(name="from")  # "queue": approved from the queue, which it returns to

    @property
    def from_queue(self) -> bool:
        return self.origin.data == "queue"


class RejectForm(FlaskForm):
    reason = TextAreaField("Reason", validators=[DataRequired("Give a reason."), Length(max=REQUEST_NOTE_LENGTH)])
