import { registry } from "@web/core/registry";

// Data prepared by tests/test_collection_urging.py (TestMyCollectionsTour):
// the salesperson's instalment to Alpha Hospital is overdue, the one to Beta
// Clinic falls due in two months; Gamma Lab's belongs to someone else.
registry.category("web_tour.tours").add("sales_backoffice_my_collections_tour", {
    url: "/odoo/action-sales_backoffice.sales_contract_instalment_action_my_collections",
    steps: () => [
        {
            content: "My Collections opens on my instalments, overdue or due this month",
            trigger:
                ".o_searchview_facet:contains(My Collections)" +
                " ~ .o_searchview_facet:contains(Due This Month)",
        },
        {
            content: "The overdue instalment, with the customer's phone and email",
            trigger:
                ".o_list_view .o_data_row:has(td[name=partner_id]:contains(Alpha Hospital))" +
                ":has(td[name=partner_email]:contains(ap@alpha.example))" +
                " td[name=partner_phone]:contains(+1 555 0100)",
        },
        {
            content: "Neither the one due later nor someone else's",
            trigger:
                ".o_list_view:has(.o_data_row)" +
                ":not(:has(td:contains(Beta Clinic))):not(:has(td:contains(Gamma Lab)))",
        },
        {
            content: "Switch to the cards",
            trigger: ".o_control_panel .o_switch_view.o_kanban",
            run: "click",
        },
        {
            content: "The card shows the customer and the phone",
            trigger: ".o_kanban_record:contains(Alpha Hospital):contains(+1 555 0100)",
        },
    ],
});
