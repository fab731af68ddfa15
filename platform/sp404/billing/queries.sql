-- name: ensure_subscription --
-- The subscription row every account has (signup writes it; this only repairs a missing one).
insert into app.subscriptions (user_id) values ($1)
on conflict on constraint subscriptions_user_id_key do nothing;

-- name: lock_subscription --
-- The caller's subscription and account, locked until commit: billing changes of one user queue
-- here, so two requests (or a request and a webhook) never act on stale state.
select s.id, s.stripe_customer_id, s.stripe_subscription_id, s.stripe_price_id, s.tier,
       s.status, s.current_period_start, s.current_period_end, s.trial_ends_at,
       s.cancel_at_period_end, s.cancelled_at, s.pending_tier, s.had_trial, s.stripe_state_at,
       s.past_due_since, s.disputed_at, s.dispute_id,
       u.email, u.first_name, u.last_name, u.tier as user_tier
from app.subscriptions s
join app.users u on u.id = s.user_id
for update of s;

-- name: fetch_subscription --
-- The caller's subscription, the tier enforced on the account and that tier's price.
select s.id, u.tier, s.status, s.current_period_start, s.current_period_end, s.trial_ends_at,
       s.cancel_at_period_end, s.cancelled_at, s.pending_tier, s.had_trial,
       s.stripe_subscription_id, s.stripe_customer_id, p.price_usd, s.past_due_since,
       s.disputed_at
from app.subscriptions s
join app.users u on u.id = s.user_id
join app.plans p on p.id = u.tier;

-- name: set_customer --
-- Stores the Stripe customer once; a concurrent second one loses and the first stays.
update app.subscriptions
   set stripe_customer_id = coalesce(stripe_customer_id, $1), updated_at = now()
returning stripe_customer_id;

-- name: apply_subscription --
-- Mirrors the Stripe subscription's state onto the caller's row.
update app.subscriptions
   set stripe_subscription_id = $1,
       stripe_price_id = $2,
       tier = $3,
       status = $4,
       current_period_start = $5,
       current_period_end = $6,
       trial_ends_at = $7,
       cancel_at_period_end = $8,
       cancelled_at = $9,
       pending_tier = $10,
       had_trial = had_trial or $11,
       stripe_state_at = greatest(stripe_state_at, $12),
       past_due_since = $13,
       updated_at = now();

-- name: forget_customer --
-- The Stripe customer was deleted: the account is back on Free with no Stripe link.
update app.subscriptions
   set stripe_customer_id = null, stripe_subscription_id = null, stripe_price_id = null,
       tier = 'free', status = 'active', current_period_start = null, current_period_end = null,
       cancel_at_period_end = false, pending_tier = null, past_due_since = null,
       stripe_state_at = $1, updated_at = now()
 where stripe_customer_id = $2;

-- name: set_user_tier --
-- The tier every service enforces (SECURITY DEFINER: the runtime role cannot write the column);
-- the id comes back only when it changed.
select app.set_user_tier($1) as id;

-- name: set_subscription_tier --
-- An administrator's override of the mirrored tier.
update app.subscriptions set tier = $1, pending_tier = null, updated_at = now();

-- name: fetch_user_tier --
-- The caller's enforced tier.
select tier from app.users;

-- name: record_stripe_event --
-- True the first time an event id is seen (SECURITY DEFINER; the primary key decides).
select app.record_stripe_event($1, $2, $3);

-- name: user_for_stripe_customer --
-- The account of a Stripe customer, if any (SECURITY DEFINER).
select app.user_for_stripe_customer($1);

-- name: user_id_for_email --
-- The account owning an e-mail, if any (SECURITY DEFINER).
select app.user_id_for_email($1);

-- name: upsert_invoice --
-- Archives a Stripe invoice; a late event never moves its status backwards (open after paid).
insert into app.invoices as i
    (user_id, stripe_invoice_id, number, amount_due, amount_paid, currency, status,
     period_start, period_end, hosted_invoice_url, invoice_pdf)
values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
on conflict on constraint invoices_stripe_invoice_id_key do update
   set number = coalesce(excluded.number, i.number),
       amount_due = excluded.amount_due,
       amount_paid = greatest(i.amount_paid, excluded.amount_paid),
       status = case
           when i.status in ('paid', 'void') and excluded.status in ('draft', 'open')
               then i.status
           else excluded.status
       end,
       period_start = excluded.period_start,
       period_end = excluded.period_end,
       hosted_invoice_url = coalesce(excluded.hosted_invoice_url, i.hosted_invoice_url),
       invoice_pdf = coalesce(excluded.invoice_pdf, i.invoice_pdf),
       updated_at = now()
returning id, status;

-- name: list_invoices --
-- The caller's invoices, newest first, one page with the total.
select id, stripe_invoice_id, number, amount_due, amount_paid, currency, status, period_start,
       period_end, hosted_invoice_url, invoice_pdf, amount_refunded, amount_credited,
       created_at, count(*) over () as total
from app.invoices
order by created_at desc, id
limit $1 offset $2;

-- name: fetch_invoice --
-- One of the caller's invoices.
select id, stripe_invoice_id, number, amount_due, amount_paid, currency, status, period_start,
       period_end, hosted_invoice_url, invoice_pdf, amount_refunded, amount_credited,
       created_at, 1::bigint as total
from app.invoices
where id = $1;

-- name: lock_usage_period --
-- The caller's quota period and the subscription it follows, the counter row locked.
select c.period_start, c.analyses_used, c.warnings_sent, s.status as subscription_status,
       s.current_period_start as subscription_period_start
from app.usage_counters c
left join app.subscriptions s on s.user_id = c.user_id
for update of c;

-- name: roll_usage_period --
-- Starts a new quota period: the analysis count and the sent warnings start again.
update app.usage_counters
   set period_start = $1, analyses_used = 0, warnings_sent = '{}', updated_at = now()
 where period_start < $1;

-- name: usage_figures --
-- Every figure the usage view and the warnings compare with the plan's limits.
-- The api_usage filter repeats the user for the planner (partial index on user_id, created_at
-- where via_token): the daily quota counts personal-token requests only.
select u.tier, u.email, pl.name as plan_name, c.storage_bytes, c.reserved_bytes, c.analyses_used,
       c.period_start, c.warnings_sent, pl.storage_bytes as storage_limit,
       pl.analyses_per_month as analyses_limit, pl.api_calls_per_day as api_calls_limit,
       pl.collections as collections_limit, pl.concurrent_uploads as concurrent_uploads_limit,
       coalesce(p.notification_email_enabled, true) as notification_email_enabled,
       (select count(*) from app.api_usage a
         where a.user_id = u.id and a.via_token
           and a.created_at >= date_trunc('day', now(), 'UTC'))
           as api_calls_today,
       (select count(*) from app.collections) as collections
from app.users u
join app.plans pl on pl.id = u.tier
join app.usage_counters c on c.user_id = u.id
left join app.user_preferences p on p.user_id = u.id;

-- name: count_analysis --
-- One more analysis in this period.
update app.usage_counters
   set analyses_used = analyses_used + 1, updated_at = now()
returning analyses_used;

-- name: add_warnings_sent --
-- Remembers which quota warnings were mailed in this period.
update app.usage_counters
   set warnings_sent = array(select distinct unnest(warnings_sent || $1::text[]) order by 1),
       updated_at = now();

-- name: storage_room --
-- Storage in use and held by uploads in flight, with the plan's limit.
select c.storage_bytes, c.reserved_bytes, pl.storage_bytes as storage_limit, pl.name as plan_name
from app.usage_counters c
join app.users u on u.id = c.user_id
join app.plans pl on pl.id = u.tier;

-- name: collection_room --
-- Collections the caller has, with the plan's limit.
select (select count(*) from app.collections) as collections, pl.collections as collection_limit,
       pl.name as plan_name
from app.users u
join app.plans pl on pl.id = u.tier;

-- name: count_invoices --
-- How many invoices the caller has (for a page past the end).
select count(*) from app.invoices;

-- name: current_user --
-- The user this transaction is bound to.
select app.current_user_id();

-- name: trial_taken --
-- Whether the caller's e-mail identity already had a trial on any account; with $1, a first
-- one is recorded (SECURITY DEFINER).
select app.trial_taken($1);

-- name: mark_trial_used --
-- The account may not start a trial (its e-mail identity already had one).
update app.subscriptions set had_trial = true, updated_at = now();

-- name: past_due_accounts --
-- Accounts past due since before $1 that still hold a paid tier (SECURITY DEFINER).
select app.past_due_accounts($1) as user_id;

-- name: record_dispute --
-- A charge of the caller's was disputed (or the dispute closed: $1 null).
update app.subscriptions
   set disputed_at = $1, dispute_id = $2, updated_at = now();

-- name: record_refund --
-- What was refunded on one of the caller's invoices (never decreases).
update app.invoices
   set amount_refunded = greatest(amount_refunded, $2), updated_at = now()
 where stripe_invoice_id = $1;

-- name: record_credit --
-- What credit notes took off one of the caller's invoices.
update app.invoices
   set amount_credited = $2, updated_at = now()
 where stripe_invoice_id = $1;
