// Every module that registers operations or variants, imported once so the registry is complete
// before a Machine is built. Add one import line per module.

import './userOps';
import './gupOps';
