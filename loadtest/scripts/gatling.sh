#!/usr/bin/env bash
# Runs a Gatling simulation from loadtest/src/test/java on the module's test classpath built from this
# checkout's sources (-am), after packaging gateway/target/edge.jar, which the simulations start.
# The usual way, resolving the other edge modules from the local repository, is the Maven plugin:
#   ./mvnw -pl loadtest gatling:test -Dgatling.simulationClass=dev.edge.loadtest.TwoRegionSimulation
#   loadtest/scripts/gatling.sh [SimulationClass] [-DbaseUrl=http://127.0.0.1:3000] -Drps=500 -Dseconds=30
# Loopback targets only; every simulation is bounded in rate and duration.
set -euo pipefail
cd "$(dirname "$0")/../.."
simulation=${1:-dev.edge.loadtest.TutorialSimulation}
shift || true
./mvnw -q -B -pl gateway -am package -DskipTests
./mvnw -q -B -pl loadtest -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
cp="loadtest/target/test-classes:loadtest/target/classes:$(cat loadtest/target/test-classpath.txt)"
exec java --add-opens=java.base/java.lang=ALL-UNNAMED "$@" -cp "$cp" io.gatling.app.Gatling -s "$simulation" -rf loadtest/target/gatling
