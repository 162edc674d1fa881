# tcp-greeter: built from source with the Maven wrapper, run as a non-root user on a Java runtime linked
# with jlink from only the modules it needs, on Debian's slim image.
#
#   docker build -t tcp-greeter .
#   docker run --rm -p 8000:8000 -p 8080:8080 -e GREETER_GREETING="Hello from a container" tcp-greeter

FROM eclipse-temurin:25-jdk AS build
WORKDIR /build
# What the build needs that a base image may lack, installed only when missing:
# - unzip: without it the Maven wrapper fetches the .tar.gz distribution, whose SHA-256 is not the one
#   pinned in .mvn/wrapper/maven-wrapper.properties (that of the .zip);
# - Java's CA trust store: the real eclipse-temurin images ship one, a locally built stand-in may carry a
#   JDK whose cacerts links to a file it does not have; then it is extracted from the system CA bundle.
RUN missing=""; \
    command -v unzip >/dev/null || missing="$missing unzip"; \
    [ -s "$JAVA_HOME/lib/security/cacerts" ] || missing="$missing ca-certificates p11-kit"; \
    if [ -n "$missing" ]; then \
      apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing >/dev/null \
      && rm -rf /var/lib/apt/lists/*; \
    fi; \
    if [ ! -s "$JAVA_HOME/lib/security/cacerts" ]; then \
      mkdir -p /etc/ssl/certs/java \
      && trust extract --format=java-cacerts --filter=ca-anchors --purpose=server-auth /etc/ssl/certs/java/cacerts; \
    fi; \
    cp -L "$JAVA_HOME/lib/security/cacerts" /tmp/public-cacerts
# Behind a TLS-inspecting proxy, trust its CA certificates (PEM) in this build stage only:
#   docker build --build-arg EXTRA_CA_CERTS="$(cat /usr/local/share/ca-certificates/*.crt)" -t tcp-greeter .
ARG EXTRA_CA_CERTS=""
RUN if [ -n "$EXTRA_CA_CERTS" ]; then \
      printf '%s\n' "$EXTRA_CA_CERTS" | awk '/BEGIN CERTIFICATE/ {n++} n > 0 {print > ("/tmp/extra-ca-" n ".pem")}' \
      && for cert in /tmp/extra-ca-*.pem; do \
        keytool -importcert -noprompt -cacerts -storepass changeit -alias "$(basename "$cert" .pem)" -file "$cert" >/dev/null; \
      done; \
    fi
# Dependencies first, in their own layer: it is rebuilt only when the pom changes.
COPY mvnw pom.xml ./
COPY .mvn/ .mvn/
RUN ./mvnw -B -q dependency:go-offline -DexcludeArtifactIds=tcp-greeter
COPY src/ src/
RUN ./mvnw -B -q -DskipTests -Dspring-javaformat.skip package \
  && java -Djarmode=tools -jar target/tcp-greeter.jar extract --layers --destination extracted
# The runtime: the JDK's modules that the application and its libraries use (jdeps lists them), linked
# with jlink. jdk.crypto.ec is named for TLS with EC keys, which jdeps cannot see in use. The runtime's
# trust store is the JDK's public roots as they were before the build trusted a proxy's CA, never the
# build's own.
RUN java -Djarmode=tools -jar target/tcp-greeter.jar extract --destination plain \
  && modules="$(jdeps --ignore-missing-deps -q --recursive --multi-release 25 --print-module-deps \
    --class-path 'plain/lib/*' plain/tcp-greeter.jar)" \
  && jlink --add-modules "$modules,jdk.crypto.ec" --strip-java-debug-attributes --no-man-pages --no-header-files \
    --output /build/runtime \
  && cp /tmp/public-cacerts /build/runtime/lib/security/cacerts

FROM debian:bookworm-slim
ENV JAVA_HOME=/opt/java
ENV PATH=/opt/java/bin:$PATH
COPY --from=build /build/runtime/ /opt/java/
# Where the image came from, for scanners and registries: pass them at build time, for example
#   docker build --build-arg VERSION=0.1.0 --build-arg REVISION="$(git rev-parse HEAD)" \
#     --build-arg CREATED="$(date -u +%FT%TZ)" --build-arg SOURCE=https://example.org/tcp-greeter.git .
ARG VERSION=0.1.0-SNAPSHOT
ARG REVISION=unknown
ARG CREATED=unknown
ARG SOURCE=unknown
LABEL org.opencontainers.image.title="tcp-greeter" \
  org.opencontainers.image.description="A TCP greeting server: connect to port 8000, receive the greeting, the server closes" \
  org.opencontainers.image.licenses="Apache-2.0" \
  org.opencontainers.image.version="${VERSION}" \
  org.opencontainers.image.revision="${REVISION}" \
  org.opencontainers.image.created="${CREATED}" \
  org.opencontainers.image.source="${SOURCE}"
RUN groupadd --system --gid 10001 greeter \
  && useradd --system --uid 10001 --gid greeter --home-dir /app --shell /usr/sbin/nologin greeter
WORKDIR /app
# Spring Boot's layers, least likely to change first.
COPY --from=build /build/extracted/dependencies/ ./
COPY --from=build /build/extracted/spring-boot-loader/ ./
COPY --from=build /build/extracted/snapshot-dependencies/ ./
COPY --from=build /build/extracted/application/ ./
COPY docker/healthcheck.sh ./healthcheck.sh
# The application's CycloneDX SBOM (also inside the jar, for the actuator's sbom endpoint), where image
# scanners look for one.
COPY --from=build /build/target/classes/META-INF/sbom/application.cdx.json ./sbom/application.cdx.json
# The JDK's AOT cache, recorded by a training run that starts the application (in Spring's AOT mode) and
# exits when it has refreshed: start-up to first greeting roughly halves (docs/BENCHMARKS.md).
# The cache holds objects in the layout of the run's options, and the JIT's profiles of the run, so the GC,
# the object headers and the JIT mode match the ENTRYPOINT's.
RUN java -XX:+UseSerialGC -XX:+UseCompactObjectHeaders -XX:-TieredCompilation -Dspring.aot.enabled=true -XX:AOTCacheOutput=app.aot \
  -Dspring.context.exit=onRefresh -jar tcp-greeter.jar --greeter.server.port=0 --server.port=0 \
  && chown -R root:root /app && chmod -R a+rX /app
USER 10001:10001
EXPOSE 8000 8080
# Memory bounded whatever the host has, and following a smaller container limit: the heap is half the
# container's limit (MaxRAMPercentage) but never more than 64 MB (ErgoHeapSizeLimit, the JVM's own cap on
# the heap it sizes), so a container run with no limit on a large node no longer takes a quarter of the
# node (414 MB idle, 983 MB at 64 clients on a 24 GiB machine before). -XX:MaxRAM would cap it too, but
# it replaces the container's limit instead of capping it. The heap starts at 16 MB and gives back what
# it does not use (Min/MaxHeapFreeRatio). Compact object headers (Java 25) save about 10 MB at the same
# throughput. The serial GC suits one or two cores and keeps the footprint small. Survivor spaces of a
# sixth of the young generation instead of a tenth, allowed to fill to 80% instead of half (SurvivorRatio,
# TargetSurvivorRatio): with the default ones, a burst of connections in flight at a young collection
# overflowed them into the old generation, which the serial GC grows instead of collecting, so a load of
# minutes took the heap to its cap (24 -> 64 MB, docs/BENCHMARKS.md "Ten minutes at c=64").
# The JIT's share, measured (docs/BENCHMARKS.md, "Memory: the JIT's share"): one C2 compilation takes up
# to 40 MB of scratch memory (Spring's annotation scanner at start-up, the greeting path under load),
# which the C library keeps after the JIT frees it; TrimNativeHeapInterval gives it back every second
# (idle 158 -> 134 MB). C2 alone (-TieredCompilation) keeps no first-tier profiled code: idle 122 MB,
# peak at 64 clients 172-178 -> 145-153 MB at the same rate, start-up about 0.3 s later.
# Virtual threads are on (application.properties; Java 25 here).
ENTRYPOINT ["java", "-XX:+UseSerialGC", "-XX:MaxRAMPercentage=50", "-XX:ErgoHeapSizeLimit=64m", "-Xms16m", \
  "-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=30", "-XX:SurvivorRatio=4", "-XX:TargetSurvivorRatio=80", \
  "-XX:+UseCompactObjectHeaders", "-XX:TrimNativeHeapInterval=1000", "-XX:-TieredCompilation", \
  "-XX:+ExitOnOutOfMemoryError", \
  "-XX:AOTCache=app.aot", "-Dspring.aot.enabled=true", "-jar", "tcp-greeter.jar"]
# No --start-period: start-up takes a second or two, three failures 10 s apart take 30 s (and dockerfilelint
# 1.8 misreads the option).
HEALTHCHECK --interval=10s --timeout=5s --retries=3 \
  CMD ["/app/healthcheck.sh"]
