"""The biodiversity gain sites register: its business rules, services and repository interfaces.

Pure of frameworks: nothing here imports a web framework or a database library. The services
work on a :class:`~bng.register.core.ports.UnitOfWork` (implemented by ``bng.db``) and a
:class:`~bng.register.core.ports.FileStore`; ``bng.bootstrap`` wires them together.
"""
