# syntax=docker/dockerfile:1
ARG GO=registry.example.com/base/golang:1.22@sha256:4f4c7b2b8f3c3d1f8e0a6b9c2d5e7f1a3b4c6d8e9f0a1b2c3d4e5f60718293a4

FROM --platform=$BUILDPLATFORM ${GO} AS build
WORKDIR /src
RUN <<SCRIPT
FROM this-line-is-part-of-a-heredoc
go build -o /out/app .
SCRIPT

FROM build AS test
RUN go test ./...

FROM registry.example.com/base/static:nonroot@sha256:4f4c7b2b8f3c3d1f8e0a6b9c2d5e7f1a3b4c6d8e9f0a1b2c3d4e5f60718293a4
COPY --from=build /out/app /app
COPY --from=docker.io/library/busybox:1.36 /bin/busybox /bin/busybox
COPY --from=test /dev/null /tested
