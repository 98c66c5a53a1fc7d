# One image for auth, mailer and mailctl (the command picks the program).
# The package lists are the ones scripts/deps installs: one list, not two.

FROM debian:bookworm AS build
COPY scripts/packages/build.txt /tmp/build.txt
RUN apt-get update \
 && grep -v '^#' /tmp/build.txt | xargs apt-get install -y --no-install-recommends \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY CMakeLists.txt ./
COPY common common
COPY services services
COPY templates/locale templates/locale
RUN cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTS=OFF \
 && cmake --build build -j"$(nproc)"

FROM debian:bookworm-slim
COPY scripts/packages/runtime.txt /tmp/runtime.txt
RUN apt-get update \
 && grep -v '^#' /tmp/runtime.txt | xargs apt-get install -y --no-install-recommends \
 && rm -rf /var/lib/apt/lists/* /tmp/runtime.txt \
 && groupadd --system --gid 10001 microblog \
 && useradd --system --uid 10001 --gid 10001 --home-dir /app --shell /usr/sbin/nologin microblog \
 && mkdir -p /app/var && chown microblog:microblog /app/var
COPY --from=build /src/build/services/auth/auth /src/build/services/mailer/mailer \
     /src/build/services/mailctl/mailctl /usr/local/bin/
COPY templates /app/templates
COPY --from=build /src/build/locale /app/locale
WORKDIR /app
USER microblog
ENV TEMPLATES_DIR=/app/templates \
    AUTH_LOCALE_DIR=/app/locale \
    DATABASE_PATH=/app/var/app.db \
    AUTH_LISTEN=0.0.0.0:8080 \
    MAILER_LISTEN=0.0.0.0:9090
EXPOSE 8080 9090
CMD ["auth"]
