ARG BASE=registry.example.com/base/static
ARG BASE_DIGEST
FROM ${BASE}@${BASE_DIGEST}
COPY app /app
