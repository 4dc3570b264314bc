# Umbrella bot: migrates the database, then serves (webhook when WEBHOOK_URL is set, else polling).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DATA_DIR=/data
WORKDIR /app

COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
RUN pip install --no-cache-dir .

COPY locales ./locales
COPY content ./content
ENV CONTENT_DIR=/app/content LOCALES_DIR=/app/locales
# Catalogues are compiled at build time so the image runs with a read-only file system.
RUN python -c "from pathlib import Path; from bot.i18n import compile_catalogues; compile_catalogues(Path('locales'))" \
    && umbrella content check \
    && useradd --system --uid 10001 umbrella && mkdir -p /data && chown umbrella /data

USER umbrella
VOLUME ["/data"]
EXPOSE 8080
CMD ["sh", "-c", "umbrella migrate && umbrella run"]
