from datetime import date, timedelta
from unittest.mock import patch

from dateutil.relativedelta import relativedelta
from lxml import etree
from psycopg2 import IntegrityError

from odoo import Command, fields, sql_db
from odoo.exceptions import UserError, ValidationError
from odoo.osv import expression
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger
from odoo.tools.safe_eval import safe_eval

from odoo.addons.sales_backoffice.models.sales_collection_reminder import (
    SalesCollectionReminder,
    reminder_due_dates,
)

from .common import SalesBackofficeCommon

JOB_LOGGER = "odoo.addons.sales_backoffice.models.sales_collection_reminder"


def day(text):
    return fields.Date.to_date(text)


@tagged("post_install", "-at_install")
class TestCollectionUrging(SalesBackofficeCommon):
    """The daily job urging the salespeople to collect: before due, overdue,
    then escalated; each reminder once, logged on the contract."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Reminder = cls.env["sales.collection.reminder"]
        # the instalments already there (demo data) count as reminded: the
        # tests' job runs see their own contracts only
        cls.Reminder.create(
            [
                {"instalment_id": instalment.id, "step": step, "date": "2026-01-01"}
                for instalment in cls.env["sales.contract.instalment"].search([])
                for step in ("before_due", "overdue", "escalation")
            ]
        )
        cls.activity_type = cls.env.ref(
            "sales_backoffice.mail_activity_type_collect_payment"
        )
        cls.term_30 = cls.env["account.payment.term"].create(
            {
                "name": "Balance in 30 days",
                "line_ids": [
                    Command.create(
                        {"value": "percent", "value_amount": 100.0, "nb_days": 30}
                    )
                ],
            }
        )
        # 7 days before due, the first day overdue, 14 days later escalated
        cls.company.write(
            {
                "collection_due_window_days": 7,
                "collection_overdue_reminder_days": 1,
                "collection_escalation_days": 14,
                "collection_reminder_email": False,
            }
        )
        cls.customer.write({"phone": "+1 555 0100", "email": "ap@alpha.example"})
        cls.user_salesman.partner_id.email = "salesman@example.com"

    def _contract(self, signed="2026-03-01", user=None, **values):
        """Active, 10 beds at 100 + 10% tax: one instalment of 1,100.00 due
        30 days after ``signed`` (2026-03-31 by default)."""
        contract = self._create_contract(
            [(self.product_bed, 10, 100.0, 0.0)],
            user=user,
            payment_term_id=self.term_30.id,
            **values,
        )
        return self._activate(contract, date_signed=signed)

    def _run(self, today, **kwargs):
        return self.Reminder._cron_urge_collections(today=day(today), **kwargs)

    def _reminders(self, contracts):
        return self.Reminder.search([("contract_id", "in", contracts.ids)])

    def _collect_activities(self, contracts):
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", "sales.contract"),
                ("res_id", "in", contracts.ids),
                ("activity_type_id", "=", self.activity_type.id),
            ]
        )

    def _mails(self, instalments):
        return self.env["mail.mail"].search(
            [
                ("model", "=", "sales.contract.instalment"),
                ("res_id", "in", instalments.ids),
            ]
        )

    def _invoiced(self, contract):
        order = self._order(contract, {self.product_bed: 10})
        self._deliver(order, {self.product_bed: 10}, "2026-03-05")
        return self._invoice(order, "2026-03-05")

    def _pay(self, invoice, amount, on="2026-03-20"):
        return (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"amount": amount, "payment_date": on})
            ._create_payments()
        )

    # ------------------------------------------------------------------

    def test_reminder_due_dates(self):
        today = date(2026, 4, 15)
        self.assertEqual(
            reminder_due_dates("before_due", today, 7, 1, 14),
            (today, date(2026, 4, 22)),
        )
        self.assertEqual(
            reminder_due_dates("overdue", today, 7, 3, 14), (None, date(2026, 4, 12))
        )
        # 0 days overdue is not overdue: the first day overdue, as 1
        self.assertEqual(
            reminder_due_dates("overdue", today, 7, 0, 14), (None, date(2026, 4, 14))
        )
        self.assertEqual(
            reminder_due_dates("escalation", today, 7, 1, 14),
            (None, date(2026, 3, 31)),
        )
        with self.assertRaises(ValueError):
            reminder_due_dates("someday", today, 7, 1, 14)

    def test_reminders_on_their_days(self):
        contract = self._contract()
        instalment = contract.instalment_ids
        self.assertEqual(instalment.due_date, day("2026-03-31"))

        self._run("2026-03-23")  # 8 days before due: too early
        self.assertFalse(self._reminders(contract))

        self._run("2026-03-24")  # 7 days before due
        reminder = self._reminders(contract)
        self.assertEqual(reminder.step, "before_due")
        self.assertEqual(reminder.date, day("2026-03-24"))
        self.assertEqual(reminder.user_ids, self.user_salesman)
        self.assertEqual(reminder.amount_residual, 1100.0)
        self.assertEqual(reminder.days_overdue, 0)
        activity = self._collect_activities(contract)
        self.assertEqual(reminder.activity_ids, activity)
        self.assertEqual(activity.user_id, self.user_salesman)
        self.assertEqual(activity.date_deadline, day("2026-03-31"))
        self.assertIn("Alpha Hospital", activity.summary)
        self.assertIn("1,100.00", activity.summary)
        self.assertIn("+1 555 0100", str(activity.note))
        self.assertIn("ap@alpha.example", str(activity.note))
        self.assertEqual(reminder.message_id, contract.message_ids[0])
        self.assertIn("Before Due", contract.message_ids[0].body)
        self.assertIn("1,100.00", contract.message_ids[0].body)
        self.assertFalse(reminder.email_sent)

        self._run("2026-03-31")  # due today: not overdue yet
        self.assertEqual(len(self._reminders(contract)), 1)

        self._run("2026-04-01")  # first day overdue
        overdue = self._reminders(contract).filtered(lambda r: r.step == "overdue")
        self.assertEqual(overdue.user_ids, self.user_salesman)
        self.assertEqual(overdue.days_overdue, 1)
        self.assertEqual(overdue.activity_ids.date_deadline, day("2026-04-01"))
        self.assertIn("Overdue", contract.message_ids[0].body)

        self._run("2026-04-14")  # 14 days overdue: not escalated yet
        self.assertEqual(len(self._reminders(contract)), 2)

        self._run("2026-04-15")  # 1 + 14 days overdue: escalated
        escalation = self._reminders(contract).filtered(
            lambda r: r.step == "escalation"
        )
        self.assertEqual(escalation.days_overdue, 15)
        # no sales team leader: the Back Office Managers of the company
        self.assertIn(self.user_manager, escalation.user_ids)
        manager_group = self.env.ref("sales_backoffice.sales_backoffice_group_manager")
        self.assertTrue(
            all(manager_group in user.groups_id for user in escalation.user_ids)
        )
        self.assertNotIn(self.user_salesman, escalation.user_ids)
        self.assertEqual(escalation.activity_ids.user_id, escalation.user_ids)
        self.assertIn("Escalation", contract.message_ids[0].body)
        self.assertEqual(
            len(self._collect_activities(contract)), 2 + len(escalation.user_ids)
        )

    def test_a_late_job_catches_up(self):
        """A job that did not run for weeks sends every step due since."""
        contract = self._contract()
        self._run("2026-05-01")
        self.assertEqual(
            sorted(self._reminders(contract).mapped("step")),
            ["escalation", "overdue"],
        )

    def test_old_arrears_are_not_urged(self):
        """Loading contracts overdue for long does not flood the salespeople:
        past the company's limit the job leaves them to the back office."""
        contract = self._contract()  # due 2026-03-31
        self.company.collection_reminder_max_days = 30
        self._run("2026-05-15")  # 45 days overdue
        self.assertFalse(self._reminders(contract))
        self.company.collection_reminder_max_days = 0  # no limit
        self._run("2026-05-15")
        self.assertEqual(
            sorted(self._reminders(contract).mapped("step")),
            ["escalation", "overdue"],
        )

    def test_job_run_twice_sends_nothing_twice(self):
        self.company.collection_reminder_email = True
        contract = self._contract()
        for _run in range(2):
            self._run("2026-03-24")
        for _run in range(2):
            self._run("2026-04-20")
        reminders = self._reminders(contract)
        self.assertEqual(
            sorted(reminders.mapped("step")), ["before_due", "escalation", "overdue"]
        )
        messages = contract.message_ids.filtered(
            lambda m: "Collection reminder" in (m.body or "")
        )
        self.assertEqual(len(messages), 3)
        self.assertEqual(len(self._mails(contract.instalment_ids)), 3)
        activities = self._collect_activities(contract)
        self.assertEqual(activities, reminders.activity_ids)
        # the log refuses a second reminder for the same step outright
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            with self.env.cr.savepoint():
                self.Reminder.create(
                    {
                        "instalment_id": contract.instalment_ids.id,
                        "step": "overdue",
                        "date": "2026-04-21",
                    }
                )

    def test_collected_and_inactive_are_not_reminded(self):
        collected = self._contract()
        self._pay(self._invoiced(collected), 1100.0)
        partly = self._contract()
        invoice = self._invoiced(partly)
        self._pay(invoice, 400.0)
        draft = self._create_contract(
            [(self.product_bed, 1, 100.0, 0.0)], payment_term_id=self.term_30.id
        )
        draft.date_signed = "2026-03-01"
        draft.action_generate_collection_plan()
        self.assertTrue(draft.instalment_ids)
        self._run("2026-04-01")
        self.assertFalse(self._reminders(collected | draft))
        reminder = self._reminders(partly)
        self.assertEqual(reminder.step, "overdue")
        self.assertEqual(reminder.amount_residual, 700.0)
        self.assertIn("700.00", partly.message_ids[0].body)
        # once collected, it is no longer urged: no escalation
        self._pay(invoice, 700.0, on="2026-04-05")
        self._run("2026-04-20")
        self.assertEqual(self._reminders(partly), reminder)

    def test_email_only_when_configured(self):
        without = self._contract()
        self._run("2026-03-24")
        self.assertTrue(self._reminders(without))
        self.assertFalse(self._mails(without.instalment_ids))

        self.company.collection_reminder_email = True
        with_email = self._contract(signed="2026-03-02")
        self._run("2026-03-25")
        reminder = self._reminders(with_email)
        mail = self._mails(with_email.instalment_ids)
        self.assertEqual(reminder.mail_id, mail)
        self.assertTrue(reminder.email_sent)
        self.assertEqual(mail.recipient_ids, self.user_salesman.partner_id)
        self.assertIn(with_email.name, mail.subject)
        self.assertIn("1,100.00", mail.subject)
        body = str(mail.body_html)
        for expected in (
            with_email.name,
            "Alpha Hospital",
            "+1 555 0100",
            "ap@alpha.example",
            "04/01/2026",
            "1,100.00",
        ):
            self.assertIn(expected, body)
        self.assertIn("Reminder email sent", with_email.message_ids[0].body)
        # no "assigned to you" notification on top of the reminder
        self.assertFalse(
            with_email.message_ids.filtered(
                lambda m: m.message_type == "user_notification"
            )
        )

    def test_escalation_goes_to_the_team_leader(self):
        self.company.collection_reminder_email = True
        leader = new_test_user(
            self.env,
            login="sbo_team_leader",
            email="leader@example.com",
            groups="sales_backoffice.sales_backoffice_group_user,base.group_user",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        team = self.env["crm.team"].create({"name": "Hospitals", "user_id": leader.id})
        contract = self._contract(team_id=team.id)
        self.assertEqual(contract.team_id, team)
        self._run("2026-04-15")
        escalation = self._reminders(contract).filtered(
            lambda r: r.step == "escalation"
        )
        self.assertEqual(escalation.user_ids, leader)
        self.assertEqual(escalation.activity_ids.user_id, leader)
        self.assertEqual(escalation.mail_id.recipient_ids, leader.partner_id)
        self.assertIn("Escalated", escalation.mail_id.subject)
        self.assertIn(self.user_salesman.name, str(escalation.mail_id.body_html))
        overdue = self._reminders(contract) - escalation
        self.assertEqual(overdue.user_ids, self.user_salesman)

    def test_team_leader_who_cannot_open_the_contract(self):
        """A leader without back-office rights sees only their own contracts:
        the escalation goes to the Back Office Managers instead."""
        team = self.env["crm.team"].create(
            {"name": "Clinics", "user_id": self.user_salesman_other.id}
        )
        contract = self._contract(team_id=team.id)
        self._run("2026-04-15")
        escalation = self._reminders(contract).filtered(
            lambda r: r.step == "escalation"
        )
        self.assertIn(self.user_manager, escalation.user_ids)
        self.assertNotIn(self.user_salesman_other, escalation.user_ids)

    def test_a_bad_record_does_not_stop_the_others(self):
        contracts = self._contract() | self._contract() | self._contract()
        bad = contracts[1].instalment_ids
        contact_text = SalesCollectionReminder._contact_text

        def failing_contact_text(self, instalment):
            if instalment == bad:
                raise UserError(self.env._("The customer's file is locked"))
            return contact_text(self, instalment)

        with (
            patch.object(
                SalesCollectionReminder, "_contact_text", failing_contact_text
            ),
            mute_logger(JOB_LOGGER),
        ):
            # reminded together, they fail together: then one by one
            done = self._run("2026-04-01")
            self.assertEqual(done, 3)
            failed = self._reminders(contracts[1])
            self.assertEqual(failed.state, "failed")
            self.assertIn("locked", failed.error)
            self.assertFalse(failed.activity_ids)
            self.assertFalse(self._collect_activities(contracts[1]))
            good = self._reminders(contracts[0] | contracts[2])
            self.assertEqual(set(good.mapped("state")), {"done"})
            self.assertEqual(len(self._collect_activities(contracts)), 2)
            # the same day it is not tried again
            self.assertEqual(self._run("2026-04-01"), 0)
        # the next day it is, and then recorded once
        self._run("2026-04-02")
        reminder = self._reminders(contracts[1])
        self.assertEqual(reminder.state, "done")
        self.assertEqual(reminder.date, day("2026-04-02"))
        self.assertEqual(len(self._collect_activities(contracts[1])), 1)
        self.assertEqual(len(self._reminders(contracts)), 3)

    def test_chunks_report_their_progress(self):
        contracts = self._contract() | self._contract() | self._contract()
        IrCron = type(self.env["ir.cron"])
        with patch.object(IrCron, "_notify_progress", autospec=True) as progress:
            self.assertEqual(self._run("2026-04-01", batch_size=2), 3)
        self.assertEqual(
            [call.kwargs for call in progress.call_args_list],
            [{"done": 2, "remaining": 1}, {"done": 3, "remaining": 0}],
        )
        self.assertEqual(len(self._reminders(contracts)), 3)
        # the job goes on from chunk to chunk until nothing is left
        more = self._contract() | self._contract() | self._contract()
        self.assertEqual(self._run("2026-04-01", batch_size=1), 3)
        self.assertEqual(len(self._reminders(more)), 3)

    def test_instalments_of_one_contract_each_logged(self):
        contract = self._contract()
        contract.instalment_ids = [
            Command.update(contract.instalment_ids.id, {"amount": 600.0}),
            Command.create({"due_date": "2026-04-10", "amount": 500.0}),
        ]
        self._run("2026-04-20")
        reminders = self._reminders(contract).filtered(lambda r: r.step == "overdue")
        self.assertEqual(reminders.instalment_id, contract.instalment_ids)
        self.assertEqual(len(reminders.message_id), 2)
        self.assertEqual(sorted(reminders.mapped("amount_residual")), [500.0, 600.0])
        self.assertIn(
            "600.00",
            reminders.filtered(lambda r: r.amount_residual == 600.0).message_id.body,
        )

    def test_selection_is_one_search_per_step(self):
        """What is due for a reminder is found by one query per step (and one
        for the failed reminders to retry), whatever the number of
        instalments; only the reminding itself is per instalment."""
        execute = sql_db.Cursor.execute

        def selection_queries():
            self.env.cr.flush()  # with the pending hooks of what was created
            self.env.invalidate_all()
            selects = []

            def logged_execute(cr, query, params=None, log_exceptions=True):
                if "SELECT" in str(query)[:20].upper():
                    selects.append(query)
                return execute(cr, query, params, log_exceptions)

            with (
                patch.object(SalesCollectionReminder, "_remind", lambda *a, **k: None),
                patch.object(sql_db.Cursor, "execute", logged_execute),
            ):
                processed = self.Reminder._urge_collections_chunk(
                    100, day("2026-04-01")
                )
            return processed, len(selects)

        self._contract()
        selection_queries()  # caches of the access rules
        one, queries_for_one = selection_queries()
        for _i in range(5):
            self._contract()
        six, queries_for_six = selection_queries()
        self.assertEqual((one, six), (1, 6))
        self.assertEqual(queries_for_six, queries_for_one)
        self.assertLessEqual(queries_for_one, 6)

    def test_my_collections_shows_only_own(self):
        today = fields.Date.context_today(self.env["sales.contract"])
        signed = today - timedelta(days=45)  # due 15 days ago: overdue
        mine = self._contract(signed=signed)
        others = self._contract(signed=signed, user=self.user_salesman_other)
        later = self._contract(signed=today)
        later.instalment_ids.due_date = today + relativedelta(months=2)
        action = self.env.ref(
            "sales_backoffice.sales_contract_instalment_action_my_collections"
        )
        context = safe_eval(action.context)
        filters = [key[len("search_default_") :] for key in context]
        self.assertIn("filter_mine", filters)
        arch = etree.fromstring(
            self.env["sales.contract.instalment"].get_view(
                action.search_view_id.id, "search"
            )["arch"]
        )
        eval_context = {
            "uid": self.user_salesman.id,
            "context_today": lambda: today,
            "relativedelta": relativedelta,
        }
        domains = {
            node.get("name"): safe_eval(node.get("domain"), eval_context)
            for node in arch.iter("filter")
            if node.get("name") in filters
        }
        # overdue or due this month, of mine, of active contracts
        domain = expression.AND(
            [
                domains["filter_mine"],
                expression.OR(
                    [domains["filter_overdue"], domains["filter_due_this_month"]]
                ),
                domains["filter_active_contract"],
            ]
        )
        scope = [("contract_id", "in", (mine | others | later).ids)]
        Instalment = self.env["sales.contract.instalment"]
        self.assertEqual(
            Instalment.with_user(self.user_salesman).search(domain + scope),
            mine.instalment_ids,
        )
        # even without the filter, a salesperson only reaches their own
        self.assertEqual(
            Instalment.with_user(self.user_salesman).search(scope),
            (mine | later).instalment_ids,
        )
        # and the reminders of their own collections only
        self._run(today)
        visible = self.Reminder.with_user(self.user_salesman).search(
            [("contract_id", "in", (mine | others).ids)]
        )
        self.assertEqual(visible.instalment_id, mine.instalment_ids)
        self.assertTrue(self._reminders(others))

    def test_multi_company_isolation(self):
        other_company = self.setup_other_company()["company"]
        other_company.write(
            {
                "collection_due_window_days": 2,
                "collection_overdue_reminder_days": 5,
                "collection_escalation_days": 0,
            }
        )
        salesman_other_company = new_test_user(
            self.env,
            login="sbo_salesman_company_2",
            groups="sales_team.group_sale_salesman,base.group_user",
            company_id=other_company.id,
            company_ids=[Command.set(other_company.ids)],
        )
        self.user_manager.company_ids += other_company
        self.user_backoffice.company_ids += other_company
        contract_other = self._activate(
            self.env["sales.contract"]
            .with_company(other_company)
            .create(
                {
                    "company_id": other_company.id,
                    "partner_id": self.customer.id,
                    "user_id": salesman_other_company.id,
                    "payment_term_id": self.term_30.id,
                    "line_ids": [
                        Command.create(
                            {
                                "product_id": self.product_bed.id,
                                "product_uom_qty": 1,
                                "price_unit": 100.0,
                            }
                        )
                    ],
                }
            ),
            date_signed="2026-03-01",
        )
        contract = self._contract()
        # each company's settings: 7 days before due here, 2 there
        self._run("2026-03-24")
        self.assertTrue(self._reminders(contract))
        self.assertFalse(self._reminders(contract_other))
        self._run("2026-03-29")
        self.assertEqual(self._reminders(contract_other).step, "before_due")
        # 5 days overdue there, escalated the same day, to its own managers
        self._run("2026-04-04")
        self.assertEqual(len(self._reminders(contract_other)), 1)
        self._run("2026-04-05")
        reminders = self._reminders(contract_other)
        self.assertEqual(
            sorted(reminders.mapped("step")), ["before_due", "escalation", "overdue"]
        )
        escalation = reminders.filtered(lambda r: r.step == "escalation")
        self.assertIn(self.user_manager, escalation.user_ids)
        self.assertTrue(
            all(other_company in user.company_ids for user in escalation.user_ids)
        )
        self.assertEqual(set(reminders.mapped("company_id")), {other_company})
        # a back-office user working in the first company sees its reminders only
        visible = (
            self.Reminder.with_user(self.user_backoffice)
            .with_context(allowed_company_ids=self.company.ids)
            .search([("contract_id", "in", (contract | contract_other).ids)])
        )
        self.assertEqual(visible, self._reminders(contract))
        visible = (
            self.Reminder.with_user(self.user_backoffice)
            .with_context(allowed_company_ids=other_company.ids)
            .search([("contract_id", "in", (contract | contract_other).ids)])
        )
        self.assertEqual(visible, reminders)

    def test_settings_are_validated(self):
        for name in (
            "collection_overdue_reminder_days",
            "collection_escalation_days",
            "collection_due_window_days",
        ):
            with (
                self.subTest(setting=name),
                self.assertRaises(ValidationError) as caught,
            ):
                self.company.write({name: -1})
            self.assertIn("zero or more", str(caught.exception))
        settings = self.env["res.config.settings"].create(
            {
                "collection_overdue_reminder_days": 3,
                "collection_escalation_days": 10,
                "collection_reminder_email": True,
            }
        )
        settings.execute()
        self.assertEqual(self.company.collection_overdue_reminder_days, 3)
        self.assertEqual(self.company.collection_escalation_days, 10)
        self.assertTrue(self.company.collection_reminder_email)
        with self.assertRaises(ValidationError):
            self.env["res.config.settings"].create(
                {"collection_escalation_days": -2}
            ).execute()


@tagged("post_install", "-at_install")
class TestMyCollectionsTour(SalesBackofficeCommon, HttpCase):
    """A salesperson opens My Collections in the web client."""

    def test_my_collections_tour(self):
        today = fields.Date.context_today(self.env["sales.contract"])
        term = self.env["account.payment.term"].create(
            {
                "name": "Balance in 30 days",
                "line_ids": [
                    Command.create(
                        {"value": "percent", "value_amount": 100.0, "nb_days": 30}
                    )
                ],
            }
        )
        salesman = new_test_user(
            self.env,
            login="sbo_tour_salesman",
            password="sbo_tour_salesman",
            groups="sales_team.group_sale_salesman,base.group_user",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        self.customer.write({"phone": "+1 555 0100", "email": "ap@alpha.example"})
        gamma = self.env["res.partner"].create(
            {"name": "Gamma Lab", "is_company": True}
        )
        lines = [(self.product_bed, 1, 100.0, 0.0)]
        signed = today - timedelta(days=45)
        for partner, user in (
            (self.customer, salesman),
            (self.customer_south, salesman),
            (gamma, self.user_salesman_other),
        ):
            self._activate(
                self._create_contract(
                    lines, partner=partner, user=user, payment_term_id=term.id
                ),
                date_signed=signed,
            )
        later = self.env["sales.contract.instalment"].search(
            [("partner_id", "=", self.customer_south.id)]
        )
        later.due_date = today + relativedelta(months=2)
        self.start_tour(
            "/odoo/action-sales_backoffice.sales_contract_instalment_action_my_collections",
            "sales_backoffice_my_collections_tour",
            login=salesman.login,
        )
