"""Computed numbers in a chapter's prose, rendered on the website and in JupyterLab alike.

A chapter computes a number in a code cell and keeps it under a name:

    keep(err_W1=err_W1)              # or glue("err_W1", err_W1), myst-nb's signature

and its text shows it with MyST's `{eval}` role and a format spec after the colon:

    The gradients agree to {eval}`num("err_W1:.1e")`.

`{eval}` is the one role both renderers evaluate in the running kernel: myst-nb when the site
is built (`execute_notebooks: inline`) and jupyterlab-myst when the Markdown cell runs in
JupyterLab (Run All). `num` returns a `str`, whose quotes both strip, so the page reads
"agree to 1.2e-08" in either place. myst-nb's `{glue}` role renders only on the site (JupyterLab
shows the key), which is why the book does not use it.

A name that was never kept raises KeyError naming it and the names kept so far, so a typo in
the prose fails the site build (warnings are errors) and shows in red in JupyterLab.
"""
import numbers

_KEPT = {}


def keep(**named_numbers):
    """Keep each keyword's value for the prose, under the keyword's name.

    numpy scalars are stored as plain Python numbers, so `num` formats them alike everywhere.

    Example:
        >>> import numpy as np
        >>> keep(loss=np.float64(0.25), steps=np.int64(12))
        >>> num("loss:.3f"), num("steps")
        ('0.250', '12')
    """
    for name, value in named_numbers.items():
        _KEPT[name] = value.item() if hasattr(value, "item") else value


def glue(name, value, display=False):
    """Keep `value` under `name` for the prose: `keep(**{name: value})` with myst-nb's signature.

    `display` is accepted for compatibility and must be False: nothing is displayed.
    """
    if display:
        raise ValueError(f"glue: display must be False (got {display!r}); "
                         "the value is shown by {eval}`num(...)` in the prose")
    keep(**{name: value})


def num(spec):
    """The kept number `spec` names, formatted: "name" or "name:format_spec".

    Example:
        >>> keep(ratio=2.0 / 3.0, days=1234)
        >>> num("ratio:.2f"), num("ratio:.1%"), num("days:,"), num("days")
        ('0.67', '66.7%', '1,234', '1234')
    """
    name, _, fmt = str(spec).partition(":")
    if name not in _KEPT:
        known = ", ".join(sorted(_KEPT)[:20]) or "none yet"
        raise KeyError(f"num: no number kept under {name!r} (expected one of: {known}); "
                       "keep it in a code cell above the text: keep(name=value)")
    value = _KEPT[name]
    if fmt and not isinstance(value, (numbers.Number, str)):
        raise TypeError(f"num: {name!r} holds a {type(value).__name__}, expected a number "
                        f"for the format {fmt!r}")
    return format(value, fmt)
