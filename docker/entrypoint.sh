#!/bin/sh
# Starts one Rokks service, named by the first argument, in place of this
# shell so that it receives the container's stop signal.
set -eu

service="${1:-}"

case "$service" in
  '' | *[!a-z0-9-]*)
    echo "entrypoint: invalid service name \"$service\": expected a name such as registry, auth or sql-gateway." >&2
    exit 64
    ;;
esac

main="/app/dist/apps/$service/src/main.js"

if [ ! -f "$main" ]; then
  echo "entrypoint: unknown service \"$service\": $main does not exist in this image." >&2
  exit 64
fi

shift
exec node "$main" "$@"
