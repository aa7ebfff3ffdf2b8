"""Show the library's own code in a chapter, on the website and in JupyterLab alike.

A chapter shows the code it teaches with a one-line code cell (tagged `remove-input`, so the site
shows only the code it prints):

    show_code("bricks.layers.core", "Dense.backward")

The output is a Markdown code block (`text/markdown`): myst-nb renders it on the site with the
same highlighting as any code block, and JupyterLab renders it in the notebook. Sphinx's
`literalinclude`, which the book used before, renders only on the site: jupyterlab-myst cannot
read files, so a reader in JupyterLab saw nothing where the code should be.

tools/shown_code.py finds these calls (module and object as two string literals) and checks, in
`make notebooks`, that every object a chapter shows also runs in that chapter: the code the book
shows is the code that runs.
"""
import importlib
import inspect
import pathlib
import textwrap

_LIB = pathlib.Path(__file__).resolve().parents[2]  # .../lib


def find(module, name):
    """The object `name` ("func" or "Class.method") of the module `module` ("bricks.layers.core")."""
    obj = importlib.import_module(module)
    for part in name.split("."):
        if not hasattr(obj, part):
            raise AttributeError(f"show_code: {module} has no {name!r} (no {part!r} in "
                                 f"{getattr(obj, '__name__', obj)!r})")
        obj = getattr(obj, part)
    return obj


class ShownCode:
    """The source of one library object, shown as a Python code block."""

    def __init__(self, module, name):
        obj = inspect.unwrap(find(module, name))
        self.module, self.name = module, name
        self.source = textwrap.dedent(inspect.getsource(obj)).rstrip("\n")
        path = pathlib.Path(inspect.getsourcefile(obj)).resolve()
        try:
            self.path = "lib/" + path.relative_to(_LIB).as_posix()
        except ValueError:  # an installed copy outside a clone
            self.path = module.replace(".", "/") + ".py"

    def _repr_markdown_(self):
        return f"`{self.path}`, `{self.name}`:\n\n```python\n{self.source}\n```\n"

    def __repr__(self):
        return f"# {self.path}: {self.name}\n{self.source}"


def show_code(module, name):
    """Display the source of `name` in the module `module` (returns the displayable object).

    Example:
        >>> shown = show_code("bricks.teaching.source", "find")
        >>> shown.path, shown.source.splitlines()[0]
        ('lib/bricks/teaching/source.py', 'def find(module, name):')
    """
    return ShownCode(module, name)
