#!/bin/sh
# Prints fresh secrets for docker-compose.yml, one VAR=value a line:
#   sh deploy/compose-secrets.sh > .env      (beside docker-compose.yml; .env is git-ignored)
# docker-compose.yml has no default secrets: it refuses to start without these.
set -eu
hex() { od -An -tx1 -N"$1" /dev/urandom | tr -d ' \n'; }
b64() { head -c "$1" /dev/urandom | base64 | tr -d '\n'; }
cat <<ENV
POSTGRES_PASSWORD=$(hex 24)
TYPESENSE_API_KEY=$(hex 24)
CODEC_KEYS=k1:$(b64 32)
CODEC_AUTH_TOKEN=$(hex 32)
SECRETS_KEY=k1:$(b64 32)
KEYCLOAK_ADMIN_PASSWORD=$(hex 16)
MAESTRO_DEMO_PASSWORD=$(hex 12)
ENV
