"""Server configuration of the end-to-end tests: galata's standard one (no token, no XSRF
check, galata's in-page helpers loaded), with the side-by-side benchmarks' peers
(jupyterlab-h5web, jupyter-archive, installed in the same venv) turned off so the tests see
jupyterlab-axopy alone. ui-tests/lab-server.ts passes port, root and token on the command line,
which takes precedence over this file."""
from jupyterlab.galata import configure_jupyter_server

configure_jupyter_server(c)  # noqa: F821 (c is the config object Jupyter passes)

c.ServerApp.jpserver_extensions = {  # noqa: F821
    "jupyterlab_h5web": False,
    "jupyter_archive": False,
}
