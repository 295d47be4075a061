import logging
import threading
import time
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
    contract_id = fields.Many2one(
        related="instalment_id.contract_id", store=True, index=True
    )
    company_id = fields.Many2one(
        related="instalment_id.company_id", store=True, index=True
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

    # ------------------------------------------------------------------
    # The daily job
    # ------------------------------------------------------------------

    @api.model
    def _cron_urge_collections(self, batch_size=200, today=None, time_budget=60.0):
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
        while True:
            processed, remaining = self._urge_collections_chunk(batch_size, today)
            done += processed
            self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
            if auto_commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit
            if (
                not remaining
                or not processed
                or time.monotonic() - started > time_budget
            ):
                break
        return done

    @api.model
    def _urge_collections_chunk(self, batch_size, today):
        """Send up to ``batch_size`` reminders, the steps in order, with one
        search per step. Return (processed, remaining)."""
        Instalment = self.env["sales.contract.instalment"]
        domains = self._reminder_domains(today)
        processed = 0
        managers = {}
        for step in STEP_ORDER:
            if processed >= batch_size:
                break
            instalments = Instalment.search(
                domains[step], limit=batch_size - processed, order="due_date, id"
            )
            if not instalments:
                continue
            failed = {
                reminder.instalment_id.id: reminder
                for reminder in self.search(
                    [("instalment_id", "in", instalments.ids), ("step", "=", step)]
                )
            }
            for instalment in instalments:
                previous = failed.get(instalment.id, self.browse())
                try:
                    # flushed at its end: a failure stays within the savepoint
                    with self.env.cr.savepoint():
                        # a reminder that failed on an earlier day gives way
                        previous.unlink()
                        self._remind(instalment, step, today, managers)
                except Exception as error:  # noqa: BLE001 - one bad record must not stop the job
                    _logger.exception(
                        "Collection reminder (%s) failed for instalment %s",
                        step,
                        instalment.id,
                    )
                    self._log_failure(instalment, step, today, previous, error)
                processed += 1
        remaining = 0
        if processed >= batch_size:
            remaining = sum(
                Instalment.search_count(domains[step]) for step in STEP_ORDER
            )
        return processed, remaining

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
        return clause

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
    def _remind(self, instalment, step, today, managers=None):
        """Schedule the activity (one per person reminded), send the email
        when the company says so, log it on the contract and record it."""
        contract = instalment.contract_id
        company = instalment.company_id
        users = self._reminded_users(instalment, step, managers)
        if not users:
            raise UserError(
                self.env._(
                    "No one to remind of the instalment due %(date)s of contract "
                    "%(contract)s: give it a responsible salesperson, or make "
                    "someone Back Office Manager of %(company)s.",
                    date=instalment.due_date,
                    contract=contract.display_name,
                    company=company.display_name,
                )
            )
        days_overdue = max((today - instalment.due_date).days, 0)
        to_collect = instalment._format_amount(instalment.amount_residual)
        summary = self._activity_summary(instalment, step, to_collect, days_overdue)
        note = plaintext2html(self._contact_text(instalment))
        deadline = instalment.due_date if step == "before_due" else today
        activities = self.env["mail.activity"]
        # the reminder is the message; no "assigned to you" notification on top
        scheduling = contract.with_context(mail_activity_quick_update=True)
        for user in users:
            activities |= scheduling.activity_schedule(
                ACTIVITY_TYPE,
                date_deadline=deadline,
                summary=summary,
                note=note,
                user_id=user.id,
            )
        mail = self.env["mail.mail"]
        if company.collection_reminder_email:
            template = self.env.ref(TEMPLATES[step])
            mail = mail.browse(
                template.with_context(
                    collection_reminder_step=step,
                    collection_days_overdue=days_overdue,
                    collection_today=today,
                ).send_mail(
                    instalment.id,
                    email_values={"recipient_ids": [Command.set(users.partner_id.ids)]},
                )
            )
        log = contract.message_post(
            body=self._log_text(
                instalment, step, users, to_collect, days_overdue, mail
            ),
            subtype_xmlid="mail.mt_note",
        )
        return self.create(
            {
                "instalment_id": instalment.id,
                "step": step,
                "date": today,
                "state": "done",
                "user_ids": [Command.set(users.ids)],
                "amount_residual": instalment.amount_residual,
                "days_overdue": days_overdue,
                "activity_ids": [Command.set(activities.ids)],
                "mail_id": mail.id,
                "email_sent": bool(mail),
                "message_id": log.id,
            }
        )

    @api.model
    def _reminded_users(self, instalment, step, managers=None):
        """Before due and overdue: the instalment's responsible, else the
        contract's salesperson. Escalation: the contract's sales team leader
        when they can open the contract. Else the Back Office Managers of the
        contract's company."""
        contract = instalment.contract_id
        if step == "escalation":
            leader = contract.team_id.user_id
            if (
                leader.active
                and not leader.share
                and contract.with_user(leader).has_access("read")
            ):
                return leader
        else:
            for user in (instalment.user_id, contract.user_id):
                if user.active and not user.share:
                    return user
        managers = {} if managers is None else managers
        company = instalment.company_id
        if company.id not in managers:
            managers[company.id] = (
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
        return managers[company.id].with_env(self.env)

    def _activity_summary(self, instalment, step, to_collect, days_overdue):
        customer = instalment.partner_id.display_name
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

    def _log_text(self, instalment, step, users, to_collect, days_overdue, mail):
        step_label = dict(self._fields["step"]._description_selection(self.env))[step]
        text = self.env._(
            "Collection reminder (%(step)s) for the instalment due %(date)s, "
            "%(amount)s to collect%(overdue)s: activity for %(users)s",
            step=step_label,
            date=instalment.due_date,
            amount=to_collect,
            overdue=self.env._(", %s days overdue", days_overdue)
            if days_overdue
            else "",
            users=", ".join(users.mapped("name")),
        )
        if mail:
            text += self.env._("; email sent.")
        else:
            text += "."
        return text
