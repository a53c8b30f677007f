"""The domain package of the CallX privacy rights-request service.

Handlers in ``functions/`` stay thin: they validate input, call one function of this
package and return a model. Everything that talks to AWS lives in ``adapters``.
"""
