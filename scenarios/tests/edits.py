"""Editing a fixture file under a running server, for the reload
scenarios (test_server_reload.py, test_e2e_reload.py)."""

import os


def edit(path, old, new, atomic=False):
    """Replace the one occurrence of old in the file at path with new;
    returns the new text.  atomic=False: one write in place.  atomic=True:
    saved the way editors do, a new (hidden, so not a fixture file) file
    renamed over the old one, so the server never sees a half-written
    file, whatever the delay."""
    text = path.read_text()
    assert text.count(old) == 1, "edit target not found exactly once"
    text = text.replace(old, new)
    if atomic:
        tmp = path.with_name("." + path.name + ".new")
        tmp.write_text(text)
        os.replace(tmp, path)
    else:
        path.write_text(text)
    return text


def line_of(text, needle):
    """1-based line of the first line holding needle."""
    for i, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return i
    raise AssertionError("%r not in the text" % needle)
