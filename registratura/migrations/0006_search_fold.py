"""Search of the register book by sender and subject without diacritics and in any case,
served by trigram indexes: `registratura_fold` is an immutable unaccent + lower (the
`unaccent` lookup is not immutable, so nothing can index it) and the selectors filter on
`registratura_fold(column) LIKE '%' || registratura_fold(words) || '%'`."""

from django.db import migrations

FORWARD = """
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE FUNCTION public.registratura_fold(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1)) $$;
CREATE INDEX registratura_doc_sender_trgm ON registratura_document
    USING gin (public.registratura_fold(correspondent_name) gin_trgm_ops);
CREATE INDEX registratura_doc_subject_trgm ON registratura_document
    USING gin (public.registratura_fold(subject) gin_trgm_ops);
"""

BACKWARD = """
DROP INDEX IF EXISTS registratura_doc_subject_trgm;
DROP INDEX IF EXISTS registratura_doc_sender_trgm;
DROP FUNCTION IF EXISTS public.registratura_fold(text);
"""


class Migration(migrations.Migration):
    dependencies = [("registratura", "0005_document_access_key")]
    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
