-- Money given back on an invoice: refunded to the card (charge.refunded) and credited by credit
-- notes (before or after payment), in the invoice's currency's smallest unit.
alter table app.invoices
    add column amount_refunded integer not null default 0,
    add column amount_credited integer not null default 0,
    add constraint invoices_amount_refunded_check check (amount_refunded >= 0),
    add constraint invoices_amount_credited_check check (amount_credited >= 0);
