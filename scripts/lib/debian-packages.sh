# Sourced by the set-up scripts: `install_missing_debian_packages LABEL PACKAGE...` installs,
# with apt-get, those of the Debian packages that are not installed yet.
install_missing_debian_packages() {
  local label=$1
  shift
  local missing=() pkg
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  if ((${#missing[@]})); then
    echo "$label: installing Debian packages: ${missing[*]}"
    local sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
}
