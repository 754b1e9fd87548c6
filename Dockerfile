# syntax=docker/dockerfile:1
# edge gateway image: the jar built from this repository with its own Maven wrapper, run on a JRE as a
# non-root user. Build from the repository root:
#   docker build -t edge:dev .
#   docker run --rm -p 3000:3000 edge:dev                      # the tutorial app baked in at /app
#   docker run --rm -p 3000:3000 -v "$PWD/myapp:/app:ro" edge:dev --from /app/spin.toml --state-dir /var/lib/edge
# See docs/deploy.md (what is and is not validated without a container runtime).

FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
COPY . .
# The same command the project's CI and docs/deploy.md use; ~/.m2 is a build cache, not part of any layer.
RUN --mount=type=cache,target=/root/.m2 ./mvnw -B -q package -DskipTests -pl gateway -am

FROM eclipse-temurin:17-jre
RUN groupadd --system --gid 10001 edge \
 && useradd --system --uid 10001 --gid edge --home-dir /var/lib/edge --shell /usr/sbin/nologin edge \
 && install -d -o edge -g edge -m 0750 /var/lib/edge
COPY --from=build /src/gateway/target/edge.jar /opt/edge/edge.jar
# A default app so the image answers out of the box; mount your own at /app (read-only is fine).
COPY --from=build /src/examples/hello-key-value-store/spin.toml /app/spin.toml
COPY --from=build /src/examples/hello-key-value-store/target/hello-key-value-store.wasm /app/target/hello-key-value-store.wasm
USER 10001:10001
WORKDIR /var/lib/edge
EXPOSE 3000
# The heap follows the container's memory limit; an OOM kills the process so the orchestrator restarts it.
# -DontCompileHugeMethods: Wasm compiled to JVM methods over 8,000 bytes gets JIT-compiled too (JS components:
# a third less CPU per request at steady state, docs/benchmarks.md "The floor").
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=70 -XX:+ExitOnOutOfMemoryError -XX:-DontCompileHugeMethods"
# bash's /dev/tcp: the JRE image needs no curl for the probe.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/3000 && printf 'GET /.well-known/spin/health HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
# SIGTERM (docker stop, Kubernetes) makes edge stop accepting, finish in-flight requests (up to 5 s) and exit.
STOPSIGNAL SIGTERM
ENTRYPOINT ["java", "-jar", "/opt/edge/edge.jar", "up", "--listen", "0.0.0.0:3000"]
CMD ["--from", "/app/spin.toml", "--state-dir", "/var/lib/edge"]
