"""What a web page can refuse with: each is answered by a page in the layout
(`cp2hub.web.error_pages`), never by the API's JSON."""

from __future__ import annotations


class PageError(Exception):
    status = 400
    title = "Something is not right"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PageForbidden(PageError):
    status = 403
    title = "Not for this account"


class PageNotFound(PageError):
    status = 404
    title = "Page not found"


class FormExpired(PageError):
    """A form posted without its session's CSRF token: from another site, or from a page
    kept open past its session's end."""

    status = 403
    title = "This form has expired"

    def __init__(self) -> None:
        super().__init__(
            "The form was not sent from a page of this site, or its page was open for too "
            "long, so nothing in it was done. Go back, reload the page and try again."
        )


class SignInNeeded(Exception):
    """The page needs a signed-in visitor: they are sent to sign in, then back here."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path
