FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 SDRCRM_DATA_DIR=/data
WORKDIR /app
COPY requirements.lock ./
RUN pip install --no-cache-dir -r requirements.lock
COPY . .
RUN SECRET_KEY=collectstatic DEBUG=0 python manage.py collectstatic --noinput -v0
RUN useradd --create-home sdrcrm && mkdir -p /data && chown sdrcrm /data
USER sdrcrm
EXPOSE 8000
CMD ["gunicorn", "sdrcrm.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
