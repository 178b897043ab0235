"""Server configuration of the end-to-end tests: galata's standard one (no token, no XSRF
check, galata's in-page helpers loaded). ui-tests/lab-server.ts passes port, root and token on
the command line, which takes precedence over this file."""
from jupyterlab.galata import configure_jupyter_server

configure_jupyter_server(c)  # noqa: F821 (c is the config object Jupyter passes)

# The preview publishes its state on window.__axopyPreviews only when the page config asks for
# it (src/lab/previews/task-preview.ts testHookPreviews); production pages never carry it.
c.ServerApp.tornado_settings = {"page_config_data": {"axopyTestHooks": "true"}}  # noqa: F821
