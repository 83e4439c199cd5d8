import { render } from 'preact';
import { App } from './App';
import './styles.css';
import './styles/frame.css';
import './styles/categories.css';
import './styles/exports.css';
import './styles/overlays.css';

const root = document.getElementById('app');
if (root) render(<App />, root);
