"""A voter's way through the poll's pages (code, ballot, receipt), as the tests take it."""
import re


def cast(client, slug, code, choices=None):
    """Through the voter's pages: choices maps a person's index on the ballot to a level."""
    page = client.post(f"/v/{slug}/ballot", data={"code": code})
    if page.status_code != 200:
        return page
    ids = person_ids(page)
    data = {"code": code, **{f"p-{ids[i]}": level for i, level in (choices or {}).items()}}
    return client.post(f"/v/{slug}/cast", data=data)


def person_ids(page) -> list[str]:
    """The people on the ballot page, in ballot order (each has three radio buttons)."""
    return list(dict.fromkeys(re.findall(r'name="p-([0-9a-f-]{36})"', page.text)))


def tracker_of(response) -> str:
    return re.search(r'id="tracker">([^<]+)<', response.text).group(1)
