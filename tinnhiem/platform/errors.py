"""The one exception services raise for a refused request, shown by both HTML and API."""


class ServiceError(Exception):
    """A rule refused the request. `code` is stable (API clients rely on it);
    `message` is a lazy translated string for people; `field` names the input at fault."""

    def __init__(self, code: str, message, *, field: str | None = None, status: int = 422):
        super().__init__(code)
        self.code = code
        self.message = message
        self.field = field
        self.status = status

    def __str__(self) -> str:
        return str(self.message)
