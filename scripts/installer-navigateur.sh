#!/usr/bin/env bash
# Installe Chromium (paquet Debian) pour les tests navigateur, s'il manque.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "Chromium manque : installez le paquet Debian « chromium » (sudo apt-get install chromium)." >&2
  exit 1
fi
echo "Installation de Chromium (paquet Debian)…"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
command -v chromium
