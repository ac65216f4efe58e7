"""Build the POST data of an admin form from the page the admin rendered, as a browser would."""


def posted_value(bound_field):
    value = bound_field.value()
    if value is None or value is False:
        return None
    if value is True:
        return "on"
    if isinstance(value, list | tuple):
        return [str(item) for item in value]
    return str(value)


def form_data(form) -> dict:
    data = {bf.html_name: value for bf in form if (value := posted_value(bf)) is not None}
    # Fields with a callable default also post their initial value in a hidden input.
    data.update(
        {bf.html_initial_name: str(bf.field.prepare_value(bf.initial)) for bf in form if bf.field.show_hidden_initial}
    )
    return data


def changeform_data(response) -> dict:
    """Every field of the page's main form and inline rows, as the browser would post them."""
    data = form_data(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        data.update(form_data(inline.formset.management_form))
        for form in inline.formset.forms:
            data.update(form_data(form))
    return data


def inline_prefix(response, model) -> str:
    return next(i.formset.prefix for i in response.context["inline_admin_formsets"] if i.formset.model is model)


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]
