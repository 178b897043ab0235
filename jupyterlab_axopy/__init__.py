"""jupyterlab-axopy: the JupyterLab extension for AxoPy experiment data.

The package carries the prebuilt labextension (installed into
``share/jupyter/labextensions/jupyterlab-axopy``); JupyterLab loads it from there.
"""
try:
    from ._version import __version__
except ImportError:  # a source checkout that was never built
    __version__ = "dev"


def _jupyter_labextension_paths():
    return [{"src": "labextension", "dest": "jupyterlab-axopy"}]
