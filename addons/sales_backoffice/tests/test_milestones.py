from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.tests import tagged

from .common import SalesBackofficeCommon


def _days(n):
    return fields.Date.today() + timedelta(days=n)


@tagged("post_install", "-at_install")
class TestMilestones(SalesBackofficeCommon):
    """Milestone states read from real deliveries and payments, the lapse
    and expiry jobs. Dates are relative to today."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.today()
        cls.company.milestone_lapse_days = 30
        cls.company.contract_expiry_reminder_days = 30
        cls.lapsed_type = cls.env.ref(
            "sales_backoffice.mail_activity_type_milestone_lapsed"
        )
        cls.expiry_type = cls.env.ref(
            "sales_backoffice.mail_activity_type_contract_expiry"
        )
        cls.contract = cls._running_contract()
        cls.bed_line = cls.contract.line_ids.filtered(
            lambda line: line.product_id == cls.product_bed
        )
        cls.order = cls._order(
            cls.contract,
            {cls.product_bed: 10},
            fields.Datetime.to_string(cls._at_noon(_days(-50))),
        )
        # 4 of the 10 ordered beds delivered twenty days ago
        cls.delivery = cls._deliver(cls.order, {cls.product_bed: 4}, _days(-20))
        cls.env.flush_all()

    @classmethod
    def _running_contract(cls, date_end=None, user=None):
        return cls._activate(
            cls._create_contract(
                [(cls.product_bed, 10, 100.0, 0.0), (cls.product_lamp, 4, 50.0, 0.0)],
                user=user,
                date_start=_days(-90),
                date_end=date_end or _days(90),
            ),
            date_signed=_days(-60),
        )

    def _milestone(self, due_in, quantity=None, amount=None, contract=None, **values):
        contract = contract or self.contract
        if quantity is not None:
            values.update(
                contract_line_id=contract.line_ids[0].id,
                quantity=quantity,
                milestone_type="delivery",
            )
        else:
            values.setdefault("milestone_type", "delivery")
            values["amount"] = amount
        return self.env["sales.contract.milestone"].create(
            {
                "contract_id": contract.id,
                "name": values.pop("name", f"Milestone due in {due_in} days"),
                "date_due": _days(due_in),
                **values,
            }
        )

    def _state(self, milestones):
        milestones.invalidate_recordset(["state", "achieved", "target"])
        return milestones.mapped("state")

    def _lapse_activities(self, contract=None):
        return (contract or self.contract).activity_ids.filtered(
            lambda a: a.activity_type_id == self.lapsed_type
        )

    def _run_lapse_job(self, **kwargs):
        # as the scheduler runs it: the superuser
        Milestone = self.env["sales.contract.milestone"].with_user(
            self.env.ref("base.user_root")
        )
        return Milestone._cron_mark_lapsed(**kwargs)

    def _run_expiry_job(self, **kwargs):
        Contract = self.env["sales.contract"].with_user(self.env.ref("base.user_root"))
        return Contract._cron_expiry_reminder(**kwargs)

    def _only_these_are_due(self, milestones=None, contracts=None):
        """Leave the jobs only the given records to handle (the database may
        hold other companies' or demo records)."""
        if milestones is not None:
            self.env["sales.contract.milestone"].sudo().search(
                [("id", "not in", milestones.ids)]
            ).lapse_checked_date = self.today
        if contracts is not None:
            self.env["sales.contract"].sudo().search(
                [("id", "not in", contracts.ids)]
            ).expiry_reminder_date = self.today

    # ------------------------------------------------------------------
    # States from the documents
    # ------------------------------------------------------------------

    def test_delivery_milestone_states(self):
        reached = self._milestone(10, quantity=4)
        pending = self._milestone(10, quantity=8)
        late = self._milestone(-5, quantity=8)
        self.assertEqual(
            self._state(reached | pending | late), ["done", "pending", "late"]
        )
        self.assertEqual((pending.achieved, pending.target), (4.0, 8.0))
        # reached late is still done
        self.assertEqual(self._state(self._milestone(-15, quantity=4)), ["done"])
        # the rest of the delivery validated today reaches them
        self._deliver(self.order, {self.product_bed: 6}, self.today)
        # as the next request reads it (the performance rows are not cached
        # across transactions)
        self.env.invalidate_all()
        self.assertEqual(self._state(pending | late), ["done", "done"])
        self.assertEqual(late.achieved, 10.0)

    def test_state_as_of_a_date(self):
        milestone = self._milestone(-5, quantity=4)
        self.assertEqual(self._state(milestone), ["done"])
        # thirty days ago nothing was delivered and it was not yet due
        past = milestone.with_context(performance_date=_days(-30))
        self.assertEqual((past.state, past.achieved), ("pending", 0.0))
        # due on day -5, delivered on day -20: on day -21 it was pending
        on_day_21 = milestone.with_context(performance_date=_days(-21))
        self.assertEqual(on_day_21.state, "pending")
        late = self._milestone(-25, quantity=4)
        self.assertEqual(late.with_context(performance_date=_days(-22)).state, "late")

    def test_no_late_milestone_on_a_contract_not_executed(self):
        draft = self._create_contract([(self.product_bed, 5, 100.0, 0.0)])
        milestone = self._milestone(-10, quantity=5, contract=draft)
        self.assertEqual(self._state(milestone), ["pending"])
        self.assertFalse(draft.has_late_milestone)

    def test_returned_goods_undo_a_delivery_milestone(self):
        milestone = self._milestone(10, quantity=4)
        self.assertEqual(self._state(milestone), ["done"])
        self._return(self.delivery, {self.product_bed: 1}, self.today)
        self.env.invalidate_all()
        self.assertEqual(self._state(milestone), ["pending"])
        self.assertEqual(milestone.achieved, 3.0)

    def test_delivery_value_milestone(self):
        # no line: the delivered value, untaxed (4 beds x 100)
        reached = self._milestone(10, amount=400.0)
        pending = self._milestone(10, amount=400.01)
        self.assertEqual(self._state(reached | pending), ["done", "pending"])
        self.assertAlmostEqual(pending.achieved, 400.0)

    def test_payment_milestone_reached_when_paid(self):
        invoice = self._invoice(self.order, _days(-10))
        self.assertAlmostEqual(invoice.amount_total, 440.0)
        paid_in_full = self._milestone(20, amount=440.0, milestone_type="payment")
        paid_late = self._milestone(-3, amount=440.0, milestone_type="payment")
        self.assertEqual(self._state(paid_in_full | paid_late), ["pending", "late"])
        self.assertEqual(paid_in_full.achieved, 0.0, "posted but unpaid")

        def pay(amount):
            self.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=invoice.ids
            ).create({"amount": amount, "payment_date": self.today})._create_payments()

        pay(200.0)
        self.assertEqual(self._state(paid_in_full | paid_late), ["pending", "late"])
        self.assertAlmostEqual(paid_in_full.achieved, 200.0)
        pay(240.0)
        self.assertFalse(invoice.amount_residual)
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertEqual(self._state(paid_in_full | paid_late), ["done", "done"])
        self.assertAlmostEqual(paid_late.achieved, 440.0)

    def test_state_search(self):
        done = self._milestone(10, quantity=4)
        pending = self._milestone(10, quantity=8)
        late = self._milestone(-5, quantity=8)
        mine = done | pending | late
        Milestone = self.env["sales.contract.milestone"]

        def search(*domain):
            return Milestone.search([("id", "in", mine.ids), *domain])

        self.assertEqual(search(("state", "=", "late")), late)
        self.assertEqual(search(("state", "=", "done")), done)
        self.assertEqual(search(("state", "=", "pending")), pending)
        self.assertEqual(search(("state", "in", ("late", "lapsed"))), late)
        self.assertEqual(search(("state", "!=", "late")), done | pending)

    def test_contract_filter_has_late_milestone(self):
        on_time = self._running_contract()
        self._milestone(10, quantity=8, name="Pending")
        self._milestone(-5, quantity=4, name="Past due but reached")
        self._milestone(10, quantity=1, contract=on_time)
        mine = self.contract | on_time
        Contract = self.env["sales.contract"]
        late_domain = [("id", "in", mine.ids), ("has_late_milestone", "=", True)]
        self.assertFalse(Contract.search(late_domain))
        self._milestone(-5, quantity=8, name="Late beds")
        self.assertEqual(Contract.search(late_domain), self.contract)
        for domain in (
            [("has_late_milestone", "=", False)],
            [("has_late_milestone", "!=", True)],
        ):
            self.assertEqual(
                Contract.search([("id", "in", mine.ids), *domain]), on_time
            )
        mine.invalidate_recordset(["has_late_milestone"])
        self.assertEqual(mine.mapped("has_late_milestone"), [True, False])
        # the performance list's "Late" filter agrees
        rows = self.env["sales.contract.performance"].search(
            [("contract_id", "in", mine.ids), ("has_late_milestone", "=", True)]
        )
        self.assertEqual(rows.contract_id, self.contract)

    # ------------------------------------------------------------------
    # The lapse job
    # ------------------------------------------------------------------

    def test_lapse_job(self):
        lapsing = self._milestone(-40, quantity=8, name="Eight beds")
        recent = self._milestone(-5, quantity=8, name="Eight beds, recently")
        reached = self._milestone(-40, quantity=4, name="Four beds")
        pending = self._milestone(5, quantity=8, name="Eight beds, soon")
        self._only_these_are_due(lapsing | recent | reached | pending)
        messages_before = len(self.contract.message_ids)

        lapsed = self._run_lapse_job()

        self.assertEqual(lapsed, lapsing)
        self.assertEqual(lapsing.lapsed_date, self.today)
        self.assertEqual(
            self._state(lapsing | recent | reached | pending),
            ["lapsed", "late", "done", "pending"],
        )
        activity = self._lapse_activities()
        self.assertEqual(len(activity), 1)
        self.assertEqual(
            activity.user_id, self.user_salesman, "the contract's salesperson"
        )
        self.assertIn("Eight beds", activity.summary)
        notes = self.contract.message_ids[
            : len(self.contract.message_ids) - messages_before
        ]
        self.assertEqual(len(notes), 1)
        self.assertEqual(notes.subtype_id, self.env.ref("mail.mt_note"))
        self.assertIn("has lapsed: 4.0 of 8.0 reached", notes.body)
        # the contract shows it
        self.contract.invalidate_recordset(["has_late_milestone"])
        self.assertTrue(self.contract.has_late_milestone)

        # a second run, the same day or the next: nothing more
        self.assertFalse(self._run_lapse_job())
        lapsing.lapse_checked_date = _days(-1)
        self.assertFalse(self._run_lapse_job())
        self.assertEqual(len(self._lapse_activities()), 1)
        self.assertEqual(
            len(self.contract.message_ids), messages_before + 1, "no second note"
        )

    def test_lapse_job_after_the_company_delay(self):
        self.company.milestone_lapse_days = 3
        recent = self._milestone(-5, quantity=8)
        self._only_these_are_due(recent)
        self.assertEqual(self._run_lapse_job(), recent)

    def test_lapse_job_skips_a_failing_record(self):
        first = self._milestone(-40, quantity=8, name="First")
        broken = self._milestone(-41, quantity=8, name="Broken")
        third = self._milestone(-42, quantity=8, name="Third")
        self._only_these_are_due(first | broken | third)
        Milestone = type(self.env["sales.contract.milestone"])
        mark_lapsed = Milestone._mark_lapsed

        def failing_mark_lapsed(milestone, activity_type, today):
            result = mark_lapsed(milestone, activity_type, today)
            if milestone == broken:
                raise ValueError("the activity could not be scheduled")
            return result

        with (
            patch.object(Milestone, "_mark_lapsed", failing_mark_lapsed),
            self.assertLogs(
                "odoo.addons.sales_backoffice.models.sales_contract_milestone", "ERROR"
            ) as logs,
        ):
            lapsed = self._run_lapse_job()
        self.assertEqual(lapsed, first | third)
        self.assertIn(f"Could not mark milestone {broken.id} lapsed", logs.output[0])
        self.assertEqual(
            self._state(first | broken | third), ["lapsed", "late", "lapsed"]
        )
        self.assertFalse(broken.lapsed_date, "the failed record's changes rolled back")
        self.assertEqual(len(self._lapse_activities()), 2)
        self.assertFalse(
            self._lapse_activities().filtered(lambda a: "Broken" in a.summary)
        )

    def test_lapse_job_in_chunks(self):
        due = (
            self._milestone(-40, quantity=8)
            | self._milestone(-41, quantity=8)
            | self._milestone(-42, quantity=8)
        )
        self._only_these_are_due(due)
        done = self.env["sales.contract.milestone"]
        for call, remaining in enumerate((2, 1, 0), start=1):
            with self.subTest(call=call):
                lapsed = self._run_lapse_job(batch_size=1)
                self.assertEqual(len(lapsed), 1)
                self.assertNotIn(lapsed, done, "each call takes a new one")
                done |= lapsed
                self.assertEqual(
                    len(due.filtered(lambda m: not m.lapse_checked_date)), remaining
                )
        self.assertEqual(done, due)
        self.assertEqual(self._state(due), ["lapsed"] * 3)
        self.assertEqual(len(self._lapse_activities()), 3)
        self.assertFalse(self._run_lapse_job(batch_size=1))

    def test_lapse_job_reports_progress(self):
        due = self._milestone(-40, quantity=8) | self._milestone(-41, quantity=8)
        self._only_these_are_due(due)
        cron = self.env.ref("sales_backoffice.ir_cron_milestone_lapsed")
        progress = self.env["ir.cron.progress"].sudo().create({"cron_id": cron.id})
        Milestone = (
            self.env["sales.contract.milestone"]
            .with_user(self.env.ref("base.user_root"))
            .with_context(ir_cron_progress_id=progress.id)
        )
        Milestone._cron_mark_lapsed(batch_size=1)
        self.assertEqual((progress.done, progress.remaining), (1, 1))
        Milestone._cron_mark_lapsed(batch_size=1)
        self.assertEqual((progress.done, progress.remaining), (1, 0))

    # ------------------------------------------------------------------
    # The expiry reminder job
    # ------------------------------------------------------------------

    def _expiry_activities(self, contracts):
        return contracts.activity_ids.filtered(
            lambda a: a.activity_type_id == self.expiry_type
        )

    def test_expiry_reminder(self):
        ending_soon = self._running_contract(date_end=_days(10))
        ending_later = self._running_contract(date_end=_days(60))
        draft_ending_soon = self._create_contract(
            [(self.product_bed, 1, 100.0, 0.0)],
            date_start=_days(-30),
            date_end=_days(10),
        )
        contracts = ending_soon | ending_later | draft_ending_soon
        self.assertEqual(ending_soon.date_expiry_reminder, _days(-20))
        self.assertEqual(ending_later.date_expiry_reminder, _days(30))
        self._only_these_are_due(contracts=contracts)

        self.assertEqual(self._run_expiry_job(), 1)

        activity = self._expiry_activities(contracts)
        self.assertEqual(activity.res_id, ending_soon.id)
        self.assertEqual(activity.user_id, self.user_salesman)
        self.assertEqual(activity.date_deadline, _days(10))
        self.assertIn(ending_soon.name, activity.summary)
        self.assertEqual(ending_soon.expiry_reminder_date, self.today)
        self.assertFalse(ending_later.expiry_reminder_date)
        # run again: no second reminder
        self.assertEqual(self._run_expiry_job(), 0)
        self.assertEqual(len(self._expiry_activities(contracts)), 1)

    def test_expiry_reminder_follows_the_company_delay(self):
        ending = self._running_contract(date_end=_days(60))
        self._only_these_are_due(contracts=ending)
        self.assertEqual(self._run_expiry_job(), 0)
        self.company.contract_expiry_reminder_days = 90
        self.assertEqual(ending.date_expiry_reminder, _days(-30))
        self.assertEqual(self._run_expiry_job(), 1)
        self.assertEqual(len(self._expiry_activities(ending)), 1)

    def test_expiry_reminder_in_chunks(self):
        due = (
            self._running_contract(date_end=_days(5))
            | self._running_contract(date_end=_days(6))
            | self._running_contract(date_end=_days(7))
        )
        self._only_these_are_due(contracts=due)
        reminded = self.env["sales.contract"]
        for call in (1, 2, 3):
            with self.subTest(call=call):
                self.assertEqual(self._run_expiry_job(batch_size=1), 1)
                now_reminded = due.filtered("expiry_reminder_date")
                self.assertEqual(len(now_reminded), call)
                self.assertTrue(reminded < now_reminded)
                reminded = now_reminded
        self.assertEqual(
            sorted(self._expiry_activities(due).mapped("res_id")), sorted(due.ids)
        )
        self.assertEqual(self._run_expiry_job(batch_size=1), 0)
