"""JupyterLab 4.6 served by Debian's jupyter_server 1.23 and jupyterlab_server 2.16.

The Python ``jupyterlab`` package is not available here, so this module plays its server part:
a ``LabServerApp`` serving the front end built by ``app/build.js`` (``app/static``), the schemas
and themes copied next to it (``app/build``), and prebuilt (federated) extensions from any
number of folders. It also answers the few endpoints that JupyterLab 4.6's front end calls and
jupyter_server 1.23 predates, so the page loads without failed requests.

Run it as a script: ``python3 app/server/axopy_lab_server.py [server options]``.
"""

import atexit
import getpass
import json
import os
import shutil
import sys
import tempfile

from jupyter_server import version_info as jupyter_server_version_info
from jupyter_server.base.handlers import APIHandler, AuthenticatedFileHandler, JupyterHandler
from jupyter_server.services.contents.largefilemanager import LargeFileManager
from jupyter_server.base.zmqhandlers import WebSocketMixin
from jupyterlab_server import LabServerApp
from tornado import web, websocket
from jupyter_core.paths import jupyter_config_dir
from traitlets import List, Unicode, default

APP_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD_INFO = os.path.join(APP_DIR, "static", "build-info.json")


class IdentityHandler(APIHandler):
    """``/api/me`` (jupyter_server >= 2): who the user is and what they may do."""

    @web.authenticated
    def get(self):
        username = getpass.getuser()
        identity = {
            "username": username,
            "name": username,
            "display_name": username,
            "initials": username[:1].upper(),
            "avatar_url": None,
            "color": None,
        }
        # An empty permissions map tells the front end that nothing was asked for or granted
        # beyond what the token already allows.
        self.finish(json.dumps({"identity": identity, "permissions": {}}))


class SilentEventsSocket(WebSocketMixin, JupyterHandler, websocket.WebSocketHandler):
    """``/api/events/subscribe`` (jupyter_server >= 2): this server emits no events."""

    async def get(self, *args, **kwargs):
        if self.current_user is None:
            raise web.HTTPError(403)
        return await super().get(*args, **kwargs)

    def on_message(self, message):
        pass


class LanguageServerStatusHandler(APIHandler):
    """``/lsp/status`` (jupyter-lsp): no language servers are installed."""

    @web.authenticated
    def get(self):
        self.finish(json.dumps({"version": 2, "sessions": {}, "specs": {}}))


def built_jupyterlab_version():
    """The JupyterLab version of the built front end; exits with the reason when unbuilt."""
    if not os.path.exists(BUILD_INFO):
        sys.exit(f"{BUILD_INFO} is missing: build the front end first (node app/build.js)")
    with open(BUILD_INFO, encoding="utf-8") as handle:
        return json.load(handle)["jupyterlab"]


def read_package_name(labextension_dir):
    """The npm package name of a built labextension folder (its package.json)."""
    package_json = os.path.join(labextension_dir, "package.json")
    try:
        with open(package_json, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError) as error:
        raise ValueError(f"{package_json}: not a built labextension ({error})") from error
    if "_build" not in data.get("jupyterlab", {}):
        raise ValueError(f"{package_json}: jupyterlab._build is missing; build it first")
    return data["name"]


def _inside_root(os_path, root):
    """Whether ``os_path``, links resolved, lies inside ``root`` (links resolved too)."""
    real_root = os.path.realpath(root)
    real = os.path.realpath(os_path)
    return real == real_root or real.startswith(real_root + os.sep)


class RootConfinedFileHandler(AuthenticatedFileHandler):
    """/files/ that refuses files reached through a link out of the root (stock jupyter_server
    follows such links; a link planted in a data folder must not expose, say, /etc)."""

    def validate_absolute_path(self, root, absolute_path):
        abs_path = super().validate_absolute_path(root, absolute_path)
        if not _inside_root(abs_path, root):
            raise web.HTTPError(404, "path leads outside the root directory")
        return abs_path


class RootConfinedContentsManager(LargeFileManager):
    """The Contents API, refusing to read files that links lead outside the root, like /files/.
    Such entries are still listed (a folder stays readable); reading one is a 404 naming it.
    Built on LargeFileManager, jupyter_server's default, which appends chunked saves (`chunk`
    2, 3, ..., -1); the plain FileContentsManager would let each chunk replace the file."""

    files_handler_class = RootConfinedFileHandler

    def _refuse_outside_root(self, path):
        if not _inside_root(self._get_os_path(path), self.root_dir):
            raise web.HTTPError(404, f"{path} leads outside the root directory")

    def _file_model(self, path, content=True, format=None):
        if content:
            self._refuse_outside_root(path)
        return super()._file_model(path, content=content, format=format)

    def _notebook_model(self, path, content=True):
        if content:
            self._refuse_outside_root(path)
        return super()._notebook_model(path, content=content)


class AxopyLabApp(LabServerApp):
    """JupyterLab front end plus the prebuilt extensions given in ``labextension_dirs``."""

    name = "lab"
    app_name = "JupyterLab"
    description = "JupyterLab 4.6 for jupyterlab-axopy, without the Python jupyterlab package"
    load_other_extensions = False
    serverapp_config = {"contents_manager_class": RootConfinedContentsManager}

    labextension_dirs = List(
        Unicode(),
        help="Built labextension folders (each with its package.json) to load as federated "
        "extensions, under their package names.",
    ).tag(config=True)

    @default("app_version")
    def _default_app_version(self):
        return built_jupyterlab_version()

    @default("static_dir")
    def _default_static_dir(self):
        return os.path.join(APP_DIR, "static")

    @default("templates_dir")
    def _default_templates_dir(self):
        # The page template is built with the bundle (it names the entry chunk).
        return os.path.join(APP_DIR, "static")

    @default("schemas_dir")
    def _default_schemas_dir(self):
        return os.path.join(APP_DIR, "build", "schemas")

    @default("themes_dir")
    def _default_themes_dir(self):
        return os.path.join(APP_DIR, "build", "themes")

    @default("app_settings_dir")
    def _default_app_settings_dir(self):
        return os.path.join(APP_DIR, "settings")

    @default("user_settings_dir")
    def _default_user_settings_dir(self):
        return os.path.join(jupyter_config_dir(), "lab", "user-settings")

    @default("workspaces_dir")
    def _default_workspaces_dir(self):
        return os.path.join(jupyter_config_dir(), "lab", "workspaces")

    def initialize_settings(self):
        self.app_version = built_jupyterlab_version()
        self.extra_labextensions_path = [self._link_labextensions()] + list(
            self.extra_labextensions_path
        )
        super().initialize_settings()

    def _link_labextensions(self):
        """jupyterlab_server finds extensions as ``<dir>/<package name>/package.json``: give
        each configured folder that name through a symlink in a private temporary folder."""
        link_root = tempfile.mkdtemp(prefix="axopy-lab-extensions-")
        atexit.register(shutil.rmtree, link_root, ignore_errors=True)
        for labextension_dir in self.labextension_dirs:
            target = os.path.abspath(labextension_dir)
            link = os.path.join(link_root, *read_package_name(target).split("/"))
            os.makedirs(os.path.dirname(link), exist_ok=True)
            os.symlink(target, link)
            self.log.info("Federated extension %s from %s", os.path.relpath(link, link_root), target)
        return link_root

    def initialize_handlers(self):
        page_config = self.serverapp.web_app.settings.setdefault("page_config_data", {})
        # What pip JupyterLab's LabApp puts there for a prebuilt, non-rebuildable app.
        page_config.update(
            {
                "buildAvailable": False,
                "buildCheck": False,
                "devMode": False,
                "token": self.serverapp.token,
                "exposeAppInBrowser": True,
                "quitButton": self.serverapp.quit_button,
                "allow_hidden_files": getattr(self.serverapp.contents_manager, "allow_hidden", False),
                # The front end expects a JSON-encoded string here.
                "notebookVersion": json.dumps(list(jupyter_server_version_info)),
                "news": {"disabled": True},
            }
        )
        self.handlers.extend(
            [
                (r"/api/me", IdentityHandler),
                (r"/api/events/subscribe", SilentEventsSocket),
                (r"/lsp/status", LanguageServerStatusHandler),
            ]
        )
        super().initialize_handlers()


def _jupyter_server_extension_points():
    return [{"module": "axopy_lab_server", "app": AxopyLabApp}]


main = AxopyLabApp.launch_instance

if __name__ == "__main__":
    # Re-import under the module's own name: jupyter_server loads extensions by module name,
    # and "__main__" would not do.
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import axopy_lab_server

    axopy_lab_server.main()
