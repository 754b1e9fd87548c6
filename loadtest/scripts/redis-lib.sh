# Sourced by the benchmark scripts that put edge on a throw-away Redis. Needs $work (a temp dir) and pids=() (what
# the script's cleanup kills).

# start_redis PORT: a redis-server on 127.0.0.1:PORT, no persistence, answering PING when this returns; its pid is
# the last of ${pids[@]}.
start_redis() {
  redis-server --port "$1" --bind 127.0.0.1 --save '' --appendonly no --dir "$work" > "$work/redis.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 50); do redis-cli -p "$1" ping > /dev/null 2>&1 && break; sleep 0.1; done
}

# redis_runtime_config FILE PORT [LINE...]: a runtime config with the default store on that Redis and the per-app
# quotas off (read_rps/write_rps = 0: the benchmarks measure the gateway, not the rate limiter); LINEs go on in the
# store's table.
redis_runtime_config() {
  local file=$1 port=$2; shift 2
  { printf '[key_value_limits]\nread_rps = 0\nwrite_rps = 0\n[key_value_store.default]\ntype = "redis"\n'
    printf 'url = "redis://127.0.0.1:%s"\n' "$port"
    for line in "$@"; do printf '%s\n' "$line"; done; } > "$file"
}
