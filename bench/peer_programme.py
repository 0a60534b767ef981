"""Turn a benchmark programme written as neutral JSON into the portal's programme file: run by hand.

    .venv/bin/python bench/peer_programme.py small.json bench/results/peers/small-portal.json

The neutral file (a forum with tracks, rooms, speakers and sessions, each session with a track, a room,
local start and end times, an abstract and its speakers) is what ``bench/peers.py`` loads into every
system it compares. The portal's file is the one ``manage.py load_programme PATH`` reads (see
``roundtables/data/athens-2009.json``): each track becomes a roundtable, numbered in the file's order,
each session a session of its track numbered in time order, its abstract the session's background and
its speakers the session's speakers; each speaker's organisation becomes an organisation.
"""

import json
import sys
from pathlib import Path

from django.utils.text import slugify

SLUG_LENGTH = 60  # shorter than the portal's 80, so a number can follow when two titles begin alike


def _slug(text, taken):
    base = slugify(text)[:SLUG_LENGTH].strip("-") or "item"
    slug, counter = base, 1
    while slug in taken:
        counter += 1
        slug = f"{base}-{counter}"
    taken.add(slug)
    return slug


def _city(name):
    """'GFMD Civil Society Days, Athens 2009' -> 'Athens'; other names give their last word but the year."""
    words = name.replace(",", " ").split()
    words = [word for word in words if not word.isdigit()]
    return words[-1] if words else name


def portal_programme(neutral):
    """The portal's programme dict for the neutral programme ``neutral``."""
    organisation_slugs, organisations = {}, []
    taken = set()
    for speaker in neutral["speakers"]:
        name = speaker.get("organisation")
        if name and name not in organisation_slugs:
            organisation_slugs[name] = _slug(name, taken)
            organisations.append({"slug": organisation_slugs[name], "name": name})

    person_slugs, people, taken = {}, [], set()
    for speaker in neutral["speakers"]:
        person_slugs[speaker["id"]] = _slug(speaker["name"], taken)
        person = {"slug": person_slugs[speaker["id"]], "name": speaker["name"], "biography": speaker["biography"]}
        if speaker.get("organisation"):
            person["organisation"] = organisation_slugs[speaker["organisation"]]
        people.append(person)

    roundtables, taken = [], set()
    for number, track in enumerate(neutral["tracks"], start=1):
        roundtables.append(
            {
                "code": track["code"],
                "number": number,
                "title": track["name"],
                "slug": _slug(track["name"], taken),
                "background": track.get("description", ""),
                "sessions": [],
            }
        )
    by_code = {roundtable.pop("code"): roundtable for roundtable in roundtables}
    for session in sorted(neutral["sessions"], key=lambda session: (session["start"], session["room"])):
        roundtable = by_code[session["track"]]
        taken = {item["slug"] for item in roundtable["sessions"]}
        roundtable["sessions"].append(
            {
                "number": len(roundtable["sessions"]) + 1,
                "title": session["title"],
                "slug": _slug(session["title"], taken),
                "background": session.get("abstract", ""),
                "starts_at": session["start"][:16],
                "ends_at": session["end"][:16],
                "room": session["room"],
                "people": [{"person": person_slugs[pid], "role": "speaker"} for pid in session["speakers"]],
                "code": session["code"],  # the neutral code, to find the pages measured (ignored by the loader)
            }
        )

    return {
        "forum": {
            "name": neutral["name"],
            "slug": neutral["slug"],
            "city": _city(neutral["name"]),
            "country": "Greece" if neutral["timezone"] == "Europe/Athens" else "",
            "starts_on": neutral["date_from"],
            "ends_on": neutral["date_to"],
            "time_zone": neutral["timezone"],
            "status": "published",
            "description": f"{neutral['name']}: a benchmark programme.",
        },
        "rooms": [{"name": room["name"], "capacity": room.get("capacity")} for room in neutral["rooms"]],
        "themes": [],
        "organisations": organisations,
        "people": people,
        "roundtables": roundtables,
    }


def main():
    if len(sys.argv) != 3:
        raise SystemExit("usage: peer_programme.py NEUTRAL.json PORTAL.json")
    neutral = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    Path(sys.argv[2]).write_text(json.dumps(portal_programme(neutral), indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
