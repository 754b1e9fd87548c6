# Sourced by the proxy benchmarks: the upstream they proxy to. Needs $work (a temp dir) and pids=() (what the script's
# cleanup kills).

# start_upstream PORT [TYPE] [CONNECTIONS]: an nginx (one worker, sendfile, keep-alive without a request cap) serving
# $work/www on 127.0.0.1:PORT, /rs being the tutorial's 40 bytes of JSON; TYPE is its default content type
# (application/json), CONNECTIONS its worker_connections (1024). Its pid is the last of ${pids[@]} and is in
# $work/upstream.pid once it runs.
start_upstream() {
  local port=$1 type=${2:-application/json} connections=${3:-1024}
  chmod 755 "$work"; mkdir -p "$work/www"; chmod 755 "$work/www"
  printf '{"firstName":"River","lastName":"Scott"}' > "$work/www/rs"
  cat > "$work/upstream.conf" <<NGINX
worker_processes 1; daemon off; pid $work/upstream.pid; error_log $work/upstream-error.log;
events { worker_connections $connections; }
http { access_log off; sendfile on; keepalive_requests 1000000;
  server { listen 127.0.0.1:$port; root $work/www; default_type $type; } }
NGINX
  /usr/sbin/nginx -c "$work/upstream.conf" -p "$work" & pids+=($!)
}
