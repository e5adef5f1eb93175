"""Paying claims: batches, maker-checker approval, the disbursement run, reconciliation.

A batch gathers the payable claims of a series (one county's, or all) that no live
payment holds yet; one administrator prepares it, another approves it (`batches`). The
run (`run`) sends its payments through the payment backend (`backends`: `outbox` by
default, Africa's Talking mobile B2C) or, for officers paid by bank, files them in the
batch's bank transfer file (`bank_file`). The provider's results reconcile each payment
(`reconcile`): paid, with its reference, the claim marked paid and the officer told by
SMS; or failed, with the reason, which blocks the claim until the officer fixes it.

Never twice: every payment's id is its idempotency key, stored before the provider is
called; a claim has at most one payment that may still move money (`Payment.live_claim_id`
is unique); a run sends only payments never sent, and settles one in doubt only from
what the provider says of it; a payment already settled is never changed again. Every
act is in the audit log (`audit`). Amounts are whole shillings, as integers.
"""
