-- A reservation made for a direct (presigned) upload remembers where the browser puts the file and
-- what the producer called it, until the upload is completed or expires.
alter table app.upload_reservations
    add column blob_key text,
    add column filename text,
    add column fields jsonb not null default '{}';
