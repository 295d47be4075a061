import { registry } from "@web/core/registry";
import { download } from "@web/core/network/download";

// Data prepared by tests/test_ui_tour.py: an active contract titled
// "East wing beds (tour)", 10 beds contracted, 6 ordered, 4 delivered.
const CONTRACT_TITLE = "East wing beds (tour)";

registry.category("web_tour.tours").add("sales_backoffice_contract_performance_tour", {
    url: "/odoo/action-sales_backoffice.sales_contract_action",
    steps: () => [
        {
            content: "Open the contract from Back Office > Contracts",
            trigger: `.o_list_view .o_data_row td[name=title]:contains(${CONTRACT_TITLE})`,
            run: "click",
        },
        {
            content: "The contract is active",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains(Active)",
        },
        {
            content: "Open its performance list (smart button)",
            trigger: ".o-form-buttonbox button[name=action_view_performance]",
            run: "click",
        },
        {
            content: "The bed line: 6 ordered, 4 delivered, 6 remaining",
            trigger:
                ".o_list_view .o_data_row:has(td[name=product_id]:contains(Hospital Bed))" +
                ":has(td[name=qty_ordered]:contains(6.00))" +
                ":has(td[name=qty_remaining]:contains(6.00))" +
                " td[name=qty_delivered]:contains(4.00)",
        },
        {
            content: "Back to the contract",
            trigger: ".o_breadcrumb .o_back_button a",
            run: "click",
        },
        {
            content: "The contract form is back",
            trigger: `.o_form_view .o_field_widget[name=title]:contains(${CONTRACT_TITLE})`,
            run() {
                // follow the report download the Print menu starts (the
                // browser itself refuses to save files in tests)
                const originalDownload = download._download;
                download._download = async (options) => {
                    document.body.dataset.sboReportDownload = "started";
                    await originalDownload(options);
                    const [url] = JSON.parse(options.data.data);
                    document.body.dataset.sboReportDownload = url;
                    download._download = originalDownload;
                };
            },
        },
        {
            content: "Open the actions menu",
            trigger: ".o_control_panel .o_cp_action_menus button:has(i.fa-cog)",
            run: "click",
        },
        {
            content: "Open the Print submenu",
            trigger: ".o-dropdown--menu button:has(i.fa-print)",
            run: "click",
        },
        {
            content: "Print the Contract Performance List",
            trigger: ".o-dropdown--menu .o_menu_item:contains(Contract Performance List)",
            run: "click",
        },
        {
            content: "The performance list of this contract was downloaded",
            trigger: "body[data-sbo-report-download*='/report/pdf/sales_backoffice.report_contract_performance/']",
        },
        {
            content: "The interface is idle again, without an error",
            trigger: "body:not(:has(.o_blockUI)):not(:has(.o_error_dialog)) .o_form_view",
        },
    ],
});
