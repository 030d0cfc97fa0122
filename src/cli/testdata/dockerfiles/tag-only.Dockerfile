FROM registry.example.com/base/static:1
COPY app /app
