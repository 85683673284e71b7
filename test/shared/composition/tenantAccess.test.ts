import { tokenExchangeAudience } from '../../../shared/composition/tenantAccess';

describe('the fleet sign-in follows the cloud', () => {
  test.each([
    ['https://login.microsoftonline.com', 'api://AzureADTokenExchange'],
    ['https://login.microsoftonline.com/', 'api://AzureADTokenExchange'],
    ['https://login.microsoftonline.us', 'api://AzureADTokenExchangeUSGov'],
    ['https://LOGIN.MICROSOFTONLINE.US/', 'api://AzureADTokenExchangeUSGov'],
    ['https://login.chinacloudapi.cn', 'api://AzureADTokenExchangeChina'],
    ['https://login.partner.microsoftonline.cn', 'api://AzureADTokenExchangeChina'],
  ])('when AZURE_AUTHORITY_HOST is %s, the managed identity token is asked for %s', (authorityHost, audience) => {
    expect(tokenExchangeAudience(authorityHost)).toBe(audience);
  });

  test('when the authority is not a Microsoft cloud (a loopback Entra in the tests), the public audience is used', () => {
    expect(tokenExchangeAudience('https://localhost:4443')).toBe('api://AzureADTokenExchange');
  });
});
