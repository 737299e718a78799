// Scalar's configuration module for /docs (served by the gateway itself; see Docs/DocsAssets.cs).
// When the server requires its token, a small form asks for it. The token is checked with GET /acore/auth/validate
// before anything uses it: a rejected token shows the server's error and is never stored. An accepted one is kept in
// sessionStorage and handed to Scalar's bearer scheme, so "Test Request" sends it. This form is the page's only token
// field: Scalar's own authentication panel, which would take any token unchecked, is hidden (Hosting/Docs.cs).
const storageKey = 'abstractcore.serverToken'
const scheme = 'AbstractCoreBearerAuth'
const validateUrl = new URL('../acore/auth/validate', import.meta.url)

async function validate(token) {
  const headers = token ? { Authorization: `Bearer ${token}` } : {}
  const response = await fetch(validateUrl, { headers, cache: 'no-store' })
  let body = null
  try {
    body = await response.json()
  } catch {
    // Not JSON: the status says enough.
  }
  return { status: response.status, body }
}

function element(tag, attributes = {}, text = '') {
  const node = document.createElement(tag)
  for (const [name, value] of Object.entries(attributes)) {
    node.setAttribute(name, value)
  }
  node.textContent = text
  return node
}

function mount(content) {
  const style = element('style', {}, `
    #acore-token-gate { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; padding: .5rem 1rem;
      font: 14px system-ui, sans-serif; background: #f6f8fa; border-bottom: 1px solid #d0d7de; color: #1f2328; }
    #acore-token-gate input { font: inherit; padding: .25rem .5rem; min-width: 18rem; }
    #acore-token-gate button { font: inherit; padding: .25rem .75rem; cursor: pointer; }
    #acore-token-error { color: #cf222e; font-weight: 600; }
    #acore-token-status { color: #1a7f37; font-weight: 600; }`)
  const bar = element('form', { id: 'acore-token-gate', 'aria-label': 'Server token' })
  bar.append(...content)
  document.head.append(style)
  document.body.prepend(bar)
  return bar
}

function askForToken() {
  const input = element('input', { id: 'acore-token', type: 'password', autocomplete: 'off', placeholder: 'ABSTRACTCORE_AUTH_TOKEN' })
  const error = element('span', { id: 'acore-token-error', role: 'alert' })
  const form = mount([
    element('label', { for: 'acore-token' }, 'Server token'),
    input,
    element('button', { id: 'acore-token-submit', type: 'submit' }, 'Authorize'),
    error,
  ])
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    const token = input.value.trim()
    error.textContent = ''
    if (!token) {
      error.textContent = 'Enter the server token.'
      return
    }
    try {
      const result = await validate(token)
      if (result.status === 200 && result.body?.authenticated === true) {
        sessionStorage.setItem(storageKey, token)
        location.reload() // Scalar reads its authentication once, when it starts.
        return
      }
      error.textContent = `Token rejected: ${result.body?.error?.message ?? `HTTP ${result.status}`}`
    } catch (e) {
      error.textContent = `Could not check the token: ${e.message}`
    }
  })
}

function showAuthorized() {
  const forget = element('button', { id: 'acore-token-forget', type: 'button' }, 'Forget token')
  forget.addEventListener('click', () => {
    sessionStorage.removeItem(storageKey)
    location.reload()
  })
  mount([element('span', { id: 'acore-token-status' }, 'Authorized with the server token'), forget])
}

// Offline and private: no Scalar-hosted AI agent (it would send the document to Scalar), no developer toolbar.
let configuration = { agent: { disabled: true }, showDeveloperTools: 'never' }
const stored = sessionStorage.getItem(storageKey)
try {
  const probe = await validate(stored)
  if (probe.status === 200 && probe.body?.authenticated === true && stored) {
    configuration.authentication = { preferredSecurityScheme: scheme, securitySchemes: { [scheme]: { token: stored } } }
    showAuthorized()
  } else if (probe.status === 401 || (probe.body?.server_auth_enabled === true && !stored)) {
    if (stored) {
      sessionStorage.removeItem(storageKey) // the server no longer accepts it
    }
    askForToken()
  }
  // Otherwise the server runs without a token: nothing to ask for.
} catch (e) {
  console.error('AbstractCore: could not reach /acore/auth/validate', e)
}

export default configuration
