-- Admins' audit (issue 19): the engine against producers' corrections, per corrected field and
-- engine version. `engine_agreed` counts corrections that merely confirmed what the analysis
-- said (tempo within 2 %, the same key, the same loop flag); `half_or_double` tempos the
-- engine had at half or double time; `engine_gave_none` and `producer_set_none` count "no
-- tempo"/"no key" on either side; `not_analysed` corrections made before any analysis.
create view app.audit_engine_accuracy with (security_invoker = true) as
with corrected as (
    select c.field, f.engine_version, f.sample_id is not null as analysed,
           case c.field
               when 'bpm' then f.features ->> 'tempo_bpm'
               when 'musical_key' then (f.features ->> 'key') || ' ' || (f.features ->> 'mode')
               else f.features ->> 'is_loop'
           end as detected,
           case c.field
               when 'bpm' then s.bpm::text
               when 'musical_key' then s.musical_key
               else s.is_loop::text
           end as set_to
    from app.samples s
    cross join lateral unnest(s.corrections) as c(field)
    left join app.audio_features f on f.user_id = s.user_id and f.sample_id = s.id
)
select field,
       engine_version,
       count(*) as corrections,
       count(*) filter (where not analysed) as not_analysed,
       count(*) filter (
           where analysed
             and case when field = 'bpm' and detected is not null and set_to is not null
                      then abs(detected::float8 - set_to::float8) <= 0.02 * set_to::float8
                      else detected is not distinct from set_to end
       ) as engine_agreed,
       count(*) filter (
           where field = 'bpm' and detected is not null and set_to is not null
             and (abs(2 * detected::float8 - set_to::float8) <= 0.02 * set_to::float8
                  or abs(detected::float8 / 2 - set_to::float8) <= 0.02 * set_to::float8)
       ) as half_or_double,
       count(*) filter (where analysed and detected is null) as engine_gave_none,
       count(*) filter (where set_to is null) as producer_set_none
from corrected
group by field, engine_version;

revoke all on app.audit_engine_accuracy from public, sp404_app;
grant select on app.audit_engine_accuracy to sp404_auditor;
