"""jupyterlab-axopy: the JupyterLab extension for AxoPy experiment data.

The package carries the prebuilt labextension (installed into
``share/jupyter/labextensions/jupyterlab-axopy``), which JupyterLab loads from there, and a
Jupyter server extension (enabled by ``etc/jupyter/jupyter_server_config.d/jupyterlab_axopy.json``)
that writes "Export as ZIP" archives on the server, at disk speed, and serves the files of the
server root with multi-range requests (many small pieces of a trial file in one request).
"""
try:
    from ._version import __version__
except ImportError:  # a source checkout that was never built
    __version__ = "dev"


def _jupyter_labextension_paths():
    return [{"src": "labextension", "dest": "jupyterlab-axopy"}]


def _jupyter_server_extension_points():
    return [{"module": "jupyterlab_axopy"}]


def _load_jupyter_server_extension(serverapp):
    from .export_handlers import setup_handlers
    from .range_handlers import setup_range_handlers

    setup_handlers(serverapp)
    setup_range_handlers(serverapp)
