# govuk-frontend-wtf ships no type information: the part of it bng uses, typed for mypy (typings/README.md).
