import logging
import threading
import time
from collections import defaultdict
from datetime import timedelta

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools import plaintext2html

_logger = logging.getLogger(__name__)

REMINDER_STEPS = [
    ("before_due", "Before Due"),
    ("overdue", "Overdue"),
    ("escalation", "Escalation"),
]
STEP_ORDER = tuple(step for step, _label in REMINDER_STEPS)

MANAGER_GROUP = "sales_backoffice.sales_backoffice_group_manager"
ACTIVITY_TYPE = "sales_backoffice.mail_activity_type_collect_payment"
TEMPLATES = {
    "before_due": "sales_backoffice.mail_template_collection_reminder",
    "overdue": "sales_backoffice.mail_template_collection_reminder",
    "escalation": "sales_backoffice.mail_template_collection_escalation",
}


def reminder_due_dates(step, today, days_before, days_after, escalation_days):
    """The due dates of the instalments a reminder step applies to on ``today``,
    as ``(first, last)``, both included; ``first`` is None when open.

    - before_due: due from today to ``days_before`` days ahead;
    - overdue: at least ``days_after`` days overdue (days overdue = today -
      due date, so at least one: an instalment due today is not overdue);
    - escalation: ``escalation_days`` more days overdue than the overdue step.

    A job that did not run for some days catches up: the steps apply from
    their day on, not on that day only."""
    if step == "before_due":
        return today, today + timedelta(days=days_before)
    days_overdue = max(days_after, 1)
    if step == "escalation":
        days_overdue += escalation_days
    elif step != "overdue":
        raise ValueError(f"unknown reminder step {step!r}")
    return None, today - timedelta(days=days_overdue)


class SalesCollectionReminder(models.Model):
    """One reminder of the collection urging job: for an instalment and a
    step (before due, overdue, escalation), whom it reminded, the activity
    and the email. There is at most one per instalment and step, so no
    reminder is ever sent twice; a reminder that failed is retried the next
    day."""

    _name = "sales.collection.reminder"
    _description = "Collection Reminder"
    _order = "date desc, id desc"
    _rec_name = "instalment_id"
    _check_company_auto = True

    instalment_id = fields.Many2one(
        "sales.contract.instalment",
        required=True,
        ondelete="cascade",
        index=True,
        readonly=True,
    )
    # the instalment's, set with it (an instalment does not change contract)
    contract_id = fields.Many2one(
        "sales.contract", required=True, ondelete="cascade", index=True, readonly=True
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, readonly=True
    )
    partner_id = fields.Many2one(related="instalment_id.partner_id")
    salesperson_id = fields.Many2one(
        related="instalment_id.user_id", string="Responsible"
    )
    currency_id = fields.Many2one(related="instalment_id.currency_id")
    due_date = fields.Date(related="instalment_id.due_date")
    step = fields.Selection(REMINDER_STEPS, required=True, readonly=True)
    date = fields.Date(required=True, readonly=True, index=True)
    state = fields.Selection(
        [("done", "Sent"), ("failed", "Failed")],
        string="Status",
        required=True,
        default="done",
        readonly=True,
        help="A failed reminder is tried again the next day the job runs.",
    )
    user_ids = fields.Many2many(
        "res.users",
        string="Reminded",
        readonly=True,
        help="The responsible salesperson; for an escalation the sales team "
        "leader, else the company's Back Office Managers.",
    )
    amount_residual = fields.Monetary(
        string="To Collect",
        readonly=True,
        help="What was left to collect on the instalment when reminded.",
    )
    days_overdue = fields.Integer(readonly=True)
    activity_ids = fields.Many2many("mail.activity", string="Activities", readonly=True)
    mail_id = fields.Many2one(
        "mail.mail", string="Email", ondelete="set null", readonly=True
    )
    email_sent = fields.Boolean(readonly=True)
    message_id = fields.Many2one(
        "mail.message",
        string="Contract Log",
        ondelete="set null",
        readonly=True,
    )
    error = fields.Text(readonly=True)

    _sql_constraints = [
        (
            "instalment_step_unique",
            "UNIQUE(instalment_id, step)",
            "An instalment is reminded once per step.",
        ),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("instalment_id") and not (
                vals.get("contract_id") and vals.get("company_id")
            ):
                instalment = self.env["sales.contract.instalment"].browse(
                    vals["instalment_id"]
                )
                vals.setdefault("contract_id", instalment.contract_id.id)
                vals.setdefault("company_id", instalment.company_id.id)
        return super().create(vals_list)

    # ------------------------------------------------------------------
    # The daily job
    # ------------------------------------------------------------------

    @api.model
    def _cron_urge_collections(self, batch_size=500, today=None, time_budget=60.0):
        """Remind the salespeople of the instalments to collect: before due,
        overdue and, later, escalated to the sales manager.

        Works in chunks of ``batch_size`` instalments, each chunk committed
        (except in tests) with its progress, until nothing is left or
        ``time_budget`` seconds have passed; the cron runner then calls
        again. A reminder that fails is logged and skipped (retried the next
        day); the job resumes where it stopped since every reminder sent is
        recorded. ``today`` (a date) replaces the current date."""
        today = fields.Date.to_date(today) or fields.Date.context_today(self)
        auto_commit = not getattr(threading.current_thread(), "testing", False)
        started = time.monotonic()
        done = 0
        total = None
        while True:
            processed = self._urge_collections_chunk(batch_size, today)
            done += processed
            if processed < batch_size:
                remaining = 0
            else:
                # counted once per call, when a first chunk shows there is more
                if total is None:
                    total = done + self._count_due_reminders(today)
                remaining = max(total - done, 1)
            self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
            if auto_commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit
            if not remaining or time.monotonic() - started > time_budget:
                break
        return done

    @api.model
    def _count_due_reminders(self, today):
        Instalment = self.env["sales.contract.instalment"]
        return sum(
            Instalment.search_count(domain)
            for domain in self._reminder_domains(today).values()
        )

    @api.model
    def _urge_collections_chunk(self, batch_size, today):
        """Send up to ``batch_size`` reminders, the steps in order, with one
        search per step. Return how many instalments were reminded (or
        failed)."""
        Instalment = self.env["sales.contract.instalment"]
        domains = self._reminder_domains(today)
        processed = 0
        cache = {}  # the Back Office Managers, what the team leaders can open
        for step in STEP_ORDER:
            if processed >= batch_size:
                break
            instalments = Instalment.search(
                domains[step], limit=batch_size - processed, order="due_date, id"
            )
            if not instalments:
                continue
            previous = self.search(
                [("instalment_id", "in", instalments.ids), ("step", "=", step)]
            )
            previous_ids = {
                reminder.instalment_id.id: reminder.id for reminder in previous
            }
            try:
                # flushed at its end: a failure stays within the savepoint
                with self.env.cr.savepoint():
                    # the reminders that failed on an earlier day give way
                    previous.unlink()
                    self._remind(instalments, step, today, cache)
            except Exception:  # noqa: BLE001 - find the bad record, remind the others
                _logger.info(
                    "Collection reminders (%s) of %s instalments failed together; "
                    "sending them one by one",
                    step,
                    len(instalments),
                )
                for instalment in instalments:
                    self._remind_alone(
                        instalment,
                        step,
                        today,
                        cache,
                        self.browse(previous_ids.get(instalment.id)),
                    )
            processed += len(instalments)
        return processed

    @api.model
    def _reminder_domains(self, today):
        """For each step, the instalments it is due for on ``today``: of active
        contracts, something left to collect, due within the step's dates for
        their company, and not reminded at this step yet (nor tried today)."""
        companies = self.env["res.company"].sudo().search([])
        return {
            step: expression.AND(
                [
                    [
                        ("contract_id.state", "=", "active"),
                        ("amount_residual", ">", 0.0),
                    ],
                    expression.OR(
                        [
                            self._company_clause(step, today, company)
                            for company in companies
                        ]
                    )
                    if companies
                    else expression.FALSE_DOMAIN,
                    [
                        (
                            "collection_reminder_ids",
                            "not any",
                            [
                                ("step", "=", step),
                                "|",
                                ("state", "=", "done"),
                                ("date", ">=", today),
                            ],
                        )
                    ],
                ]
            )
            for step in STEP_ORDER
        }

    @api.model
    def _company_clause(self, step, today, company):
        first, last = reminder_due_dates(
            step,
            today,
            company.collection_due_window_days,
            company.collection_overdue_reminder_days,
            company.collection_escalation_days,
        )
        clause = [("company_id", "=", company.id), ("due_date", "<=", last)]
        if first:
            clause.append(("due_date", ">=", first))
        elif company.collection_reminder_max_days:
            oldest = today - timedelta(days=company.collection_reminder_max_days)
            clause.append(("due_date", ">=", oldest))
        return clause

    @api.model
    def _remind_alone(self, instalment, step, today, cache, previous):
        try:
            with self.env.cr.savepoint():
                previous.unlink()
                self._remind(instalment, step, today, cache)
        except Exception as error:  # noqa: BLE001 - one bad record must not stop the job
            _logger.exception(
                "Collection reminder (%s) failed for instalment %s",
                step,
                instalment.id,
            )
            self._log_failure(instalment, step, today, previous, error)

    @api.model
    def _log_failure(self, instalment, step, today, previous, error):
        values = {"state": "failed", "date": today, "error": str(error)}
        try:
            with self.env.cr.savepoint():
                if previous:
                    previous.write(values)
                else:
                    self.create(
                        {"instalment_id": instalment.id, "step": step, **values}
                    )
        except Exception:  # noqa: BLE001 - the instalment itself is broken
            _logger.exception(
                "Could not log the failed reminder of instalment %s", instalment.id
            )

    # ------------------------------------------------------------------
    # One reminder
    # ------------------------------------------------------------------

    @api.model
    def _remind(self, instalments, step, today, cache=None):
        """Remind of ``instalments`` at ``step``, set-based: schedule the
        activities (one per person reminded), send the emails where the
        company says so, log each on its contract and record it."""
        cache = {} if cache is None else cache
        if step == "escalation":
            self._cache_leader_access(instalments, cache)
        plans = []
        for instalment in instalments:
            users = self._reminded_users(instalment, step, cache)
            if not users:
                raise UserError(
                    self.env._(
                        "No one to remind of the instalment due %(date)s of "
                        "contract %(contract)s: give it a responsible salesperson, "
                        "or make someone Back Office Manager of %(company)s.",
                        date=instalment.due_date,
                        contract=instalment.contract_id.display_name,
                        company=instalment.company_id.display_name,
                    )
                )
            plans.append((instalment, users))
        activities = self._schedule_activities(plans, step, today)
        mails = self._send_emails(plans, step, today)
        messages = self._log_on_contracts(plans, step, today, mails)
        return self.create(
            [
                {
                    "instalment_id": instalment.id,
                    "contract_id": instalment.contract_id.id,
                    "company_id": instalment.company_id.id,
                    "step": step,
                    "date": today,
                    "state": "done",
                    "user_ids": [Command.set(users.ids)],
                    "amount_residual": instalment.amount_residual,
                    "days_overdue": self._days_overdue(instalment, today),
                    "activity_ids": [Command.set(activities[instalment.id].ids)],
                    "mail_id": mails.get(instalment.id, self.env["mail.mail"]).id,
                    "email_sent": instalment.id in mails,
                    "message_id": messages[instalment.id].id,
                }
                for instalment, users in plans
            ]
        )

    @api.model
    def _days_overdue(self, instalment, today):
        return max((today - instalment.due_date).days, 0)

    @api.model
    def _schedule_activities(self, plans, step, today):
        """One "Collect payment" activity on the contract per person reminded,
        created together. Return {instalment id: activities}."""
        activity_type = self.env.ref(ACTIVITY_TYPE)
        model_id = self.env["ir.model"]._get_id("sales.contract")
        plan_values = {}
        for instalment, users in plans:
            summary = self._activity_summary(
                instalment, step, self._days_overdue(instalment, today)
            )
            note = plaintext2html(self._contact_text(instalment))
            deadline = instalment.due_date if step == "before_due" else today
            plan_values[instalment.id] = [
                {
                    "activity_type_id": activity_type.id,
                    "res_model_id": model_id,
                    "res_id": instalment.contract_id.id,
                    "user_id": user.id,
                    "summary": summary,
                    "note": note,
                    "date_deadline": deadline,
                    "automated": True,
                }
                for user in users
            ]
        # the reminder is the message; no "assigned to you" notification on
        # top. Created by rounds of distinct contracts: the followers Odoo
        # adds with them are inserted once per contract and user.
        Activity = self.env["mail.activity"].with_context(
            mail_activity_quick_update=True
        )
        activities = {}
        for batch in self._by_distinct_contracts(plans):
            created = iter(
                Activity.create(
                    [values for plan in batch for values in plan_values[plan[0].id]]
                )
            )
            for instalment, users in batch:
                activities[instalment.id] = self.env["mail.activity"].concat(
                    *(next(created) for _user in users)
                )
        return activities

    @api.model
    def _by_distinct_contracts(self, plans):
        """The (instalment, users) plans in batches where each contract comes
        once at most (usually one batch)."""
        pending = plans
        while pending:
            batch, later, contract_ids = [], [], set()
            for plan in pending:
                contract_id = plan[0].contract_id.id
                (later if contract_id in contract_ids else batch).append(plan)
                contract_ids.add(contract_id)
            yield batch
            pending = later

    @api.model
    def _send_emails(self, plans, step, today):
        """The reminder emails, for the companies that send them, rendered in
        batches of the same recipients. Return {instalment id: mail}."""
        by_recipients = defaultdict(list)
        for instalment, users in plans:
            if instalment.company_id.collection_reminder_email:
                by_recipients[tuple(users.partner_id.ids)].append(instalment.id)
        if not by_recipients:
            return {}
        template = self.env.ref(TEMPLATES[step]).with_context(
            collection_reminder_step=step, collection_today=today
        )
        mails = {}
        for partner_ids, instalment_ids in by_recipients.items():
            sent = template.send_mail_batch(
                instalment_ids,
                email_values={"recipient_ids": [Command.set(list(partner_ids))]},
            )
            mails.update({mail.res_id: mail for mail in sent})
        return mails

    @api.model
    def _log_on_contracts(self, plans, step, today, mails):
        """A note per reminder on its contract's chatter, logged in batches of
        distinct contracts. Return {instalment id: message}."""
        messages = {}
        for batch in self._by_distinct_contracts(plans):
            contracts = self.env["sales.contract"].browse(
                [instalment.contract_id.id for instalment, _users in batch]
            )
            logged = contracts._message_log_batch(
                bodies={
                    instalment.contract_id.id: self._log_text(
                        instalment, step, users, today, instalment.id in mails
                    )
                    for instalment, users in batch
                }
            )
            by_contract = {message.res_id: message for message in logged}
            for instalment, _users in batch:
                messages[instalment.id] = by_contract[
                    instalment.contract_id.id
                ].with_env(self.env)
        return messages

    @api.model
    def _reminded_users(self, instalment, step, cache=None):
        """Before due and overdue: the instalment's responsible, else the
        contract's salesperson. Escalation: the contract's sales team leader
        when they can open the contract. Else the Back Office Managers of the
        contract's company."""
        contract = instalment.contract_id
        cache = {} if cache is None else cache
        if step == "escalation":
            leader = contract.team_id.user_id
            if leader.active and not leader.share:
                readable = cache.get(("readable", leader.id), {})
                if contract.id not in readable:
                    self._cache_leader_access(instalment, cache)
                    readable = cache[("readable", leader.id)]
                if readable[contract.id]:
                    return leader
        else:
            for user in (instalment.user_id, contract.user_id):
                if user.active and not user.share:
                    return user
        company = instalment.company_id
        if company.id not in cache:
            cache[company.id] = (
                self.env["res.users"]
                .sudo()
                .search(
                    [
                        ("groups_id", "in", self.env.ref(MANAGER_GROUP).id),
                        ("company_ids", "in", company.id),
                        ("share", "=", False),
                    ],
                    order="id",
                )
            )
        return cache[company.id].with_env(self.env)

    @api.model
    def _cache_leader_access(self, instalments, cache):
        """Which contracts each sales team leader can open, one access check
        per leader: {("readable", leader id): {contract id: readable}}."""
        by_leader = defaultdict(lambda: self.env["sales.contract"])
        for instalment in instalments:
            contract = instalment.contract_id
            if contract.team_id.user_id:
                by_leader[contract.team_id.user_id] |= contract
        for leader, contracts in by_leader.items():
            readable = contracts.with_user(leader)._filtered_access("read")
            cache.setdefault(("readable", leader.id), {}).update(
                {contract.id: contract in readable for contract in contracts}
            )

    def _activity_summary(self, instalment, step, days_overdue):
        customer = instalment.partner_id.display_name
        to_collect = instalment._format_amount(instalment.amount_residual)
        if step == "before_due":
            return self.env._(
                "Collect %(amount)s from %(customer)s, due %(date)s",
                amount=to_collect,
                customer=customer,
                date=instalment.due_date,
            )
        if step == "overdue":
            return self.env._(
                "Overdue: collect %(amount)s from %(customer)s (due %(date)s)",
                amount=to_collect,
                customer=customer,
                date=instalment.due_date,
            )
        return self.env._(
            "Escalated: %(amount)s from %(customer)s, %(days)s days overdue",
            amount=to_collect,
            customer=customer,
            days=days_overdue,
        )

    def _contact_text(self, instalment):
        contact = instalment.contract_id.partner_id
        customer = instalment.partner_id
        return self.env._(
            "Contract %(contract)s, customer %(customer)s, contact %(contact)s "
            "(phone %(phone)s, email %(email)s); salesperson %(salesperson)s.",
            contract=instalment.contract_id.display_name,
            customer=customer.display_name,
            contact=contact.name or customer.display_name,
            phone=contact.phone or contact.mobile or customer.phone or "-",
            email=contact.email or customer.email or "-",
            salesperson=instalment.user_id.name or "-",
        )

    def _log_text(self, instalment, step, users, today, email_sent):
        step_label = dict(self._fields["step"]._description_selection(self.env))[step]
        sentences = [
            self.env._(
                "Collection reminder (%(step)s) for the instalment due %(date)s, "
                "%(amount)s to collect: activity for %(users)s.",
                step=step_label,
                date=instalment.due_date,
                amount=instalment._format_amount(instalment.amount_residual),
                users=", ".join(users.mapped("name")),
            )
        ]
        days_overdue = self._days_overdue(instalment, today)
        if days_overdue:
            sentences.append(self.env._("%s days overdue.", days_overdue))
        if email_sent:
            sentences.append(self.env._("Reminder email sent."))
        return " ".join(sentences)
