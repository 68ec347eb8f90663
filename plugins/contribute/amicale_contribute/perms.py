"""The permissions of Contributions (declared in ``plugin.register_permissions``)."""

VIEW, EDIT, ADMINISTER = "view_contributions", "edit_contributions", "administer_contribute"
