# Sourced by the build scripts: `inputs_hash PATH...` prints one hash of the named files and
# folders' contents (their paths included), so a build runs again only when an input changed.
inputs_hash() {
  find "$@" -type f -not -name '*.tsbuildinfo' -print0 2>/dev/null | sort -z |
    xargs -0 sha256sum | sha256sum | cut -d' ' -f1
}
